/* Facilitator map (oversight): geotagged visits of the month, the families' home positions, and a line from
   each far visit to the home position it was measured against. Data from json_script "oversight-map-data",
   tile URL and labels from "oversight-map-config". When no tile URL is configured or the tiles fail to load,
   the points stay on a plain background and a note says the map background is unavailable. No inline
   scripts or styles (CSP). */
(function () {
  "use strict";

  var COLOURS = { visit: "#0d6efd", far: "#dc3545", home: "#198754", otherHome: "#6c757d", line: "#dc3545" };

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* Popups are built as DOM nodes (textContent), never as HTML strings: no markup from the data. */
  function popup(rows, link) {
    var box = document.createElement("div");
    rows.forEach(function (row) {
      var line = document.createElement("div");
      if (row.strong) {
        var strong = document.createElement("strong");
        strong.textContent = row.text;
        line.appendChild(strong);
      } else {
        line.textContent = row.text;
      }
      box.appendChild(line);
    });
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      box.appendChild(anchor);
    }
    return box;
  }

  function showTilesNote(container) {
    var note = document.getElementById("map-tiles-note");
    if (note) {
      note.classList.remove("d-none");
    }
    container.classList.add("oversight-map-plain");
  }

  ready(function () {
    var container = document.getElementById("oversight-map");
    var data = readJson("oversight-map-data");
    var config = readJson("oversight-map-config") || {};
    if (!container || !data || typeof window.L === "undefined") {
      return; // the table below the map lists the visits
    }
    var L = window.L;
    var labels = config.labels || {};
    var map = L.map(container, { preferCanvas: false, scrollWheelZoom: false });

    if (config.tiles) {
      var tiles = L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution || "" });
      var failed = false;
      tiles.on("tileerror", function () {
        if (!failed) {
          failed = true;
          showTilesNote(container);
        }
      });
      tiles.addTo(map);
    } else {
      showTilesNote(container);
    }

    var bounds = [];
    data.lines.forEach(function (line) {
      L.polyline([line.from, line.to], { color: COLOURS.line, weight: 2, dashArray: "6 4" }).addTo(map);
    });
    data.homes.forEach(function (home) {
      var marker = L.circleMarker([home.lat, home.lng], {
        radius: 7, color: "#ffffff", weight: 2, fillOpacity: 0.9,
        fillColor: home.caseload ? COLOURS.home : COLOURS.otherHome,
      });
      marker.bindPopup(popup([
        { text: labels.home, strong: true },
        { text: labels.household + ": " + home.household },
        { text: home.caseload ? labels.caseload : labels.visited },
      ], { href: home.url, text: labels.open }));
      marker.addTo(map);
      bounds.push([home.lat, home.lng]);
    });
    data.visits.forEach(function (visit) {
      var rows = [
        { text: labels.visit + " · " + visit.when, strong: true },
        { text: labels.household + ": " + visit.household },
      ];
      if (visit.distance !== null) {
        rows.push({ text: labels.distance + ": " + visit.distance + " m" });
      }
      if (visit.far) {
        rows.push({ text: labels.far });
      }
      if (visit.late) {
        rows.push({ text: labels.late });
      }
      var marker = L.circleMarker([visit.lat, visit.lng], {
        radius: 5, color: visit.far ? COLOURS.far : COLOURS.visit, weight: 2, fillOpacity: 0.6,
        fillColor: visit.far ? COLOURS.far : COLOURS.visit,
      });
      marker.bindPopup(popup(rows, { href: visit.url, text: labels.open }));
      marker.addTo(map);
      bounds.push([visit.lat, visit.lng]);
    });

    if (bounds.length === 1) {
      map.setView(bounds[0], 16);
    } else if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    }
  });
})();
