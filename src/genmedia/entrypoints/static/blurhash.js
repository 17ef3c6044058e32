function decodeBlurhash(hash, width, height, punch) {
  "use strict";
  var DIGITS =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

  function decode83(start, end) {
    var value = 0;
    for (var k = start; k < end; k++) {
      var digit = DIGITS.indexOf(hash.charAt(k));
      if (digit < 0) {
        throw new Error("blurhash: invalid character " + JSON.stringify(hash.charAt(k)));
      }
      value = value * 83 + digit;
    }
    return value;
  }

  function srgbToLinear(channel) {
    var v = channel / 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }

  function linearToSrgb(value) {
    var v = Math.max(0, Math.min(1, value));
    if (v <= 0.0031308) {
      return Math.floor(v * 12.92 * 255 + 0.5);
    }
    return Math.floor((1.055 * Math.pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
  }

  function signPow(value, exponent) {
    var magnitude = Math.pow(Math.abs(value), exponent);
    return value < 0 ? -magnitude : magnitude;
  }

  if (typeof hash !== "string" || hash.length < 6) {
    throw new Error("blurhash: must be a string of at least 6 characters");
  }
  width = Math.floor(width);
  height = Math.floor(height);
  if (!(width > 0 && height > 0)) {
    throw new Error("blurhash: width and height must be positive");
  }
  if (punch === undefined || punch === null) {
    punch = 1;
  }

  var sizeFlag = decode83(0, 1);
  var numX = (sizeFlag % 9) + 1;
  var numY = Math.floor(sizeFlag / 9) + 1;
  if (hash.length !== 4 + 2 * numX * numY) {
    throw new Error("blurhash: expected " + (4 + 2 * numX * numY) + " characters");
  }
  var maxValue = ((decode83(1, 2) + 1) / 166) * punch;

  var count = numX * numY;
  var colors = new Float64Array(count * 3);
  var dc = decode83(2, 6);
  colors[0] = srgbToLinear(dc >> 16);
  colors[1] = srgbToLinear((dc >> 8) & 255);
  colors[2] = srgbToLinear(dc & 255);
  for (var c = 1; c < count; c++) {
    var ac = decode83(4 + c * 2, 6 + c * 2);
    colors[c * 3] = signPow((Math.floor(ac / 361) - 9) / 9, 2) * maxValue;
    colors[c * 3 + 1] = signPow(((Math.floor(ac / 19) % 19) - 9) / 9, 2) * maxValue;
    colors[c * 3 + 2] = signPow(((ac % 19) - 9) / 9, 2) * maxValue;
  }

  var cosX = new Float64Array(width * numX);
  for (var x = 0; x < width; x++) {
    for (var i = 0; i < numX; i++) {
      cosX[x * numX + i] = Math.cos((Math.PI * x * i) / width);
    }
  }
  var cosY = new Float64Array(height * numY);
  for (var y = 0; y < height; y++) {
    for (var j = 0; j < numY; j++) {
      cosY[y * numY + j] = Math.cos((Math.PI * y * j) / height);
    }
  }

  var pixels = new Uint8ClampedArray(width * height * 4);
  for (var py = 0; py < height; py++) {
    for (var px = 0; px < width; px++) {
      var r = 0;
      var g = 0;
      var b = 0;
      for (var cj = 0; cj < numY; cj++) {
        var basisY = cosY[py * numY + cj];
        for (var ci = 0; ci < numX; ci++) {
          var basis = cosX[px * numX + ci] * basisY;
          var idx = (ci + cj * numX) * 3;
          r += colors[idx] * basis;
          g += colors[idx + 1] * basis;
          b += colors[idx + 2] * basis;
        }
      }
      var out = (py * width + px) * 4;
      pixels[out] = linearToSrgb(r);
      pixels[out + 1] = linearToSrgb(g);
      pixels[out + 2] = linearToSrgb(b);
      pixels[out + 3] = 255;
    }
  }
  return pixels;
}
