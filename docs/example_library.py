"""Use genmedia from another program: build a container, submit a request, run it, read it."""

import sys
from pathlib import Path

import genmedia
from genmedia import CreateUser, Settings, SubmitRequest, WorkerRuntime, build_container


def main(home: Path) -> None:
    """Run one template request end to end on the embedded default under `home`."""
    container = build_container(Settings(home=home))
    try:
        genmedia.upgrade_database(container)
        container.seed_catalog()
        user = container.ensure_user(CreateUser(email="me@example.com"))
        estimate = container.estimate_request(
            SubmitRequest(user_id=user.id, template="neon-city", user_prompt="a tram")
        )
        print("estimate:", estimate.estimated_cost, "credits for", repr(estimate.final_prompt))
        request = container.submit_request(
            SubmitRequest(
                user_id=user.id,
                template="studio-portrait",
                user_prompt="a smiling astronaut",
                selected_options={"hairColor": "red", "backgrounds": ["beach", "city"]},
                input_metadata={"batch_size": 2, "seed": 42},
                params={"width": 256, "height": 256},
            )
        )
        runtime = WorkerRuntime(container)
        runtime.start()
        try:
            genmedia.wait_for(container, [request.id])
        finally:
            runtime.stop()
        request, media = container.request_details(request.id)
        print("request", request.id, request.status.value)
        for item in media:
            print(" ", item.storage_path, item.info.width, "x", item.info.height, item.info.blurhash)
    finally:
        container.shutdown_resources()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/example"))
