// HAI LURAH maps (/dasbor, /data), on the vendored Leaflet. The base map's
// tiles come from the server's HAILURAH_MAP_TILES; with none, or when they
// do not load (an office without internet), the map is hidden and the
// grid the page always draws beside it stands alone. /dasbor plots the
// located tickets, clustered; /data draws grid cells with their counts,
// never a point. No inline code; texts are set as text.
(function () {
  "use strict";

  var COLORS = { 1: "#2e7d32", 2: "#2e7d32", 3: "#b26a00", 4: "#c62828", 5: "#7b1fa2" };

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("peta");
    var status = document.getElementById("peta-status");
    if (!el || !window.L || !el.getAttribute("data-tiles")) { return; }
    var map = null, loaded = 0, failed = 0, done = false;

    function say(text) { status.textContent = text; }

    function fallback() {
      if (done) { return; }
      done = true;
      if (map) { map.remove(); map = null; }
      el.hidden = true;
      el.setAttribute("data-fallback", "grid");
      say("Peta dasar tidak dapat dimuat (mungkin tanpa internet). Sebaran ditunjukkan dengan kotak di bawah.");
    }

    fetch(el.getAttribute("data-src"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var points = data.points || [];
        var cells = data.map ? data.map.cells || [] : [];
        if (!points.length && !cells.length) {
          say(el.getAttribute("data-kind") === "points" ? "Belum ada curhat yang membagikan lokasi dalam periode ini." :
            "Belum ada kotak wilayah dengan cukup curhat untuk ditampilkan.");
          return;
        }
        el.hidden = false;
        map = L.map(el, { scrollWheelZoom: false });
        var base = L.tileLayer(el.getAttribute("data-tiles"), { maxZoom: 19,
          attribution: "&copy; kontributor OpenStreetMap" });
        base.on("tileload", function () { loaded++; });
        base.on("tileerror", function () { failed++; if (!loaded && failed >= 2) { fallback(); } });
        base.addTo(map);
        setTimeout(function () { if (!loaded) { fallback(); } }, 8000);
        var bounds = L.latLngBounds([]);
        if (points.length) {
          var cluster = L.markerClusterGroup({ showCoverageOnHover: false });
          points.forEach(function (p) {
            var m = L.circleMarker([p.lat, p.lng], { radius: 9, weight: 2, color: "#fff",
              fillColor: COLORS[p.urgency] || "#0b4f8a", fillOpacity: 0.9 });
            var a = document.createElement("a");
            a.href = "/tiket/" + encodeURIComponent(p.ticket_id);
            a.textContent = p.ticket_id + (p.rw ? " · RW " + p.rw : "") + (p.rt ? " RT " + p.rt : "");
            m.bindPopup(a);
            cluster.addLayer(m);
            bounds.extend([p.lat, p.lng]);
          });
          map.addLayer(cluster);
          say(points.length + " curhat dengan lokasi. Angka dalam lingkaran: jumlah curhat di sekitarnya; dekatkan peta untuk memisahkannya.");
        } else {
          var max = Math.max.apply(null, cells.map(function (c) { return c.count; }));
          cells.forEach(function (c) {
            var b = [[c.south, c.west], [c.north, c.east]];
            L.rectangle(b, { weight: 1, color: "#0b5d3b", fillColor: "#0b5d3b", fillOpacity: 0.15 + 0.55 * c.count / max }).addTo(map);
            L.marker([(c.south + c.north) / 2, (c.west + c.east) / 2], { interactive: false, keyboard: false,
              icon: L.divIcon({ className: "map-count", html: String(c.count | 0), iconSize: [36, 22] }) }).addTo(map);
            bounds.extend(b);
          });
          var hidden = data.map.hidden || 0;
          say(cells.length + " kotak wilayah (sekitar 550 m), setiap kotak memuat jumlah curhatnya." +
            (hidden ? " " + hidden + " curhat berada di kotak dengan terlalu sedikit curhat dan tidak ditampilkan." : ""));
        }
        map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
      })
      .catch(function () { say("Peta tidak dapat dimuat. Sebaran ditunjukkan dengan kotak di bawah."); });
  });
})();
