// Plan vs actual chart (PLN-3): reads the JSON the page embeds with json_script, draws it with ECharts.
// A static file, so it runs under the strict CSP (no inline script).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("planning-chart");
    var source = document.getElementById("planning-chart-data");
    if (!holder || !source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) {
      holder.hidden = true;
      return;
    }
    var toNumber = function (value) {
      return value === null ? null : Number(value);
    };
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: data.names },
      grid: { left: 60, right: 20, bottom: 80 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: data.names[0], type: "bar", data: data.planned.map(toNumber) },
        { name: data.names[1], type: "bar", data: data.actual.map(toNumber) },
      ],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
