// The mileage map: crews' bases, the day's folios coloured by traffic light, routes and
// coverage areas. Every marker is a vector drawn from the page's own data, so the map shows them
// even when the tile server cannot be reached (no internet): the tiles are only a background.
(function () {
  "use strict";
  const box = document.getElementById("map");
  const source = document.getElementById("map-data");
  if (!box || !source || typeof L === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = {
    green: "#198754", yellow: "#ffc107", red: "#dc3545",
    on_time: "#75b798", late: "#ea868f", closed: "#adb5bd",
  };
  const map = L.map(box, { preferCanvas: false, zoomControl: true });
  box.dataset.markers = "0";
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap" }).addTo(map);
  }
  const bounds = [];
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  }[c]));

  for (const area of data.areas) {
    if (area.radius_km) {
      L.circle([area.lat, area.lon], {
        radius: area.radius_km * 1000, color: "#6f42c1", weight: 2, dashArray: "6 6", fill: true, fillOpacity: 0.04,
      }).bindTooltip(escape(area.name)).addTo(map);
    }
  }
  for (const route of data.routes) {
    L.polyline(route, { color: "#0d6efd", weight: 2, opacity: 0.6, dashArray: "4 6" }).addTo(map);
  }
  let markers = 0;
  for (const base of data.bases) {
    const icon = L.divIcon({ className: "map-base-icon", iconSize: [14, 14] });
    L.marker([base.lat, base.lon], { icon, keyboard: false, title: `${data.texts.base} ${base.code}` })
      .bindPopup(`<strong>${escape(data.texts.base)} ${escape(base.code)}</strong><br>${escape(base.name)}`)
      .addTo(map);
    bounds.push([base.lat, base.lon]);
    markers += 1;
  }
  for (const order of data.orders) {
    const outside = order.in_coverage ? "" : `<br><strong>${escape(data.texts.outside)}</strong>`;
    L.circleMarker([order.lat, order.lon], {
      radius: 8, color: order.in_coverage ? "#212529" : "#6f42c1", weight: order.in_coverage ? 1 : 3,
      fillColor: colours[order.light] || "#adb5bd", fillOpacity: 0.95,
    }).bindPopup(
      `<strong>${escape(order.folio)}</strong> · ${escape(order.type)}<br>${escape(order.label)}` +
      `${order.crew ? " · " + escape(order.crew) : ""}<br>CP ${escape(order.postal_code)}${outside}`
    ).bindTooltip(escape(order.folio)).addTo(map);
    bounds.push([order.lat, order.lon]);
    markers += 1;
  }
  box.dataset.markers = String(markers);
  // Fit the crews and the folios: the coverage circle is the context, not the subject.
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  } else {
    map.setView([23.6, -102.5], 5); // Mexico
  }
})();
