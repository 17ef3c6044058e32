"""The use cases bound to the adapters, one container per capability.

Each module declares a container that extends `Infrastructure`; `Container` (container.py)
inherits them all. A new capability adds a module here and a base class there.
"""
