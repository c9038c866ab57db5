/* Management dashboard charts (Chart.js, vendored under static/vendor/chartjs). The data comes from
   the page's #dashboard-data JSON; every point or bar links to the cases behind it. Targets are drawn as
   dashed lines. Without Chart.js (or JavaScript) the tables under each chart carry the same numbers. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof Chart === "undefined") return;
    var d = JSON.parse(node.textContent);
    var t = d.text;
    var TARGET = { borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false };

    function go(links) {
      return function (event, elements) {
        if (!elements.length) return;
        var el = elements[0];
        var url = links(el.datasetIndex, el.index);
        if (url) window.location.href = url;
      };
    }
    function flat(value, n) { var a = []; for (var i = 0; i < n; i++) a.push(value); return a; }

    var trend = document.getElementById("chart-trend");
    if (trend) {
      var n = d.months.length;
      new Chart(trend, {
        data: {
          labels: d.months,
          datasets: [
            { type: "bar", label: t.volume, data: d.volume, yAxisID: "count", backgroundColor: "#bcccdc" },
            { type: "line", label: t.csat, data: d.csat, yAxisID: "pct", borderColor: "#1d4ed8", spanGaps: true },
            { type: "line", label: t.fcr, data: d.fcr, yAxisID: "pct", borderColor: "#1f9d55", spanGaps: true },
            Object.assign({ type: "line", label: t.csat_target, data: flat(d.targets.csat, n), yAxisID: "pct", borderColor: "#1d4ed8" }, TARGET),
            Object.assign({ type: "line", label: t.fcr_target, data: flat(d.targets.fcr, n), yAxisID: "pct", borderColor: "#1f9d55" }, TARGET)
          ]
        },
        options: {
          onClick: go(function (ds, i) { return [d.volume_links, d.csat_links, d.fcr_links][ds] ? [d.volume_links, d.csat_links, d.fcr_links][ds][i] : ""; }),
          scales: { count: { position: "left", beginAtZero: true }, pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } }
        }
      });
    }

    d.gauges.forEach(function (g, i) {
      var canvas = document.getElementById("chart-gauge-" + i);
      if (!canvas) return;
      var v = g.value === null ? 0 : g.value;
      new Chart(canvas, {
        type: "doughnut",
        data: { labels: [g.label, ""], datasets: [{ data: [v, 100 - v], backgroundColor: [v >= 90 ? "#1f9d55" : v >= 75 ? "#d97706" : "#c81e1e", "#e4e7eb"], borderWidth: 0 }] },
        options: {
          rotation: -90, circumference: 180, cutout: "70%", aspectRatio: 1.6,
          onClick: go(function () { return g.url; }),
          plugins: { legend: { display: false }, title: { display: true, position: "bottom", text: g.label + " " + (g.value === null ? "—" : g.value + "%") } }
        }
      });
    });

    var pareto = document.getElementById("chart-pareto");
    if (pareto && d.categories.length) {
      var m = d.categories.length;
      new Chart(pareto, {
        data: {
          labels: d.categories.map(function (c) { return c.label; }),
          datasets: [
            { type: "bar", label: t.volume, data: d.categories.map(function (c) { return c.count; }), yAxisID: "count", backgroundColor: "#486581" },
            { type: "line", label: t.cumulative, data: d.categories.map(function (c) { return c.cumulative; }), yAxisID: "pct", borderColor: "#d97706" },
            Object.assign({ type: "line", label: t.pareto_line, data: flat(d.targets.pareto, m), yAxisID: "pct", borderColor: "#c81e1e" }, TARGET)
          ]
        },
        options: {
          onClick: go(function (ds, i) { return d.categories[i].url; }),
          scales: { count: { position: "left", beginAtZero: true }, pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } }
        }
      });
    }

    var units = document.getElementById("chart-units");
    if (units && d.units.length) {
      var k = d.units.length;
      new Chart(units, {
        data: {
          labels: d.units.map(function (u) { return u.label; }),
          datasets: [
            { type: "bar", label: t.volume, data: d.units.map(function (u) { return u.volume; }), yAxisID: "count", backgroundColor: "#9fb3c8" },
            { type: "line", label: t.rate, data: d.units.map(function (u) { return u.rate; }), yAxisID: "rate", borderColor: "#1d4ed8", spanGaps: true },
            Object.assign({ type: "line", label: t.rate_target, data: flat(d.targets.complaint_rate, k), yAxisID: "rate", borderColor: "#c81e1e" }, TARGET)
          ]
        },
        options: {
          onClick: go(function (ds, i) { return d.units[i].url; }),
          scales: { count: { position: "left", beginAtZero: true }, rate: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } }
        }
      });
    }
  });
})();
