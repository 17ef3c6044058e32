(function () {
  var cards = document.querySelectorAll("figure.card[data-blurhash]");
  for (var n = 0; n < cards.length; n++) {
    var card = cards[n];
    var canvas = card.querySelector("canvas");
    var img = card.querySelector("img");
    if (img && img.complete && img.naturalWidth > 0) {
      img.classList.add("loaded");
    }
    if (!canvas || !canvas.getContext) {
      continue;
    }
    try {
      var w = canvas.width;
      var h = canvas.height;
      var data = decodeBlurhash(card.getAttribute("data-blurhash"), w, h, 1);
      var ctx = canvas.getContext("2d");
      var image = ctx.createImageData(w, h);
      image.data.set(data);
      ctx.putImageData(image, 0, 0);
    } catch (err) {
      card.classList.add("no-placeholder");
    }
  }
})();
