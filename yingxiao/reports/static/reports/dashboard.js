/* The dashboard's charts (ECharts). Data comes from the json_script block "kpi-data" (strict CSP:
 * no inline script); clicking a chart opens the records behind the figure (or behind one bar). */
(function () {
  "use strict";

  function chartFor(element, item) {
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    var option;
    if (item.segments && item.segments.length) {
      var labels = item.segments.map(function (s) { return s.label; });
      option = {
        grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: labels, inverse: true },
        series: [
          { type: "bar", name: item.label, data: item.segments.map(function (s) { return s.total; }) },
          { type: "bar", name: "✓", data: item.segments.map(function (s) { return s.hits; }) }
        ]
      };
      chart.setOption(option);
      chart.on("click", function (params) {
        var segment = item.segments[params.dataIndex];
        var url = segment && item.segment_urls[segment.key];
        window.location.href = url || item.url;
      });
    } else if (item.unit === "percent") {
      var value = item.value === null ? 0 : Number(item.value);
      option = {
        series: [{
          type: "gauge", min: 0, max: Math.max(100, Math.ceil(value)), radius: "95%",
          progress: { show: true, width: 10 }, axisLine: { lineStyle: { width: 10 } },
          axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
          detail: { formatter: item.value === null ? "—" : "{value}%", fontSize: 16, offsetCenter: [0, "10%"] },
          data: [{ value: value, name: "" }]
        }]
      };
      chart.setOption(option);
      chart.on("click", function () { window.location.href = item.url; });
    } else {
      return null;
    }
    return chart;
  }

  function init() {
    var source = document.getElementById("kpi-data");
    if (!source || !window.echarts) { return; }
    var items = JSON.parse(source.textContent);
    var charts = [];
    items.forEach(function (item) {
      if (!item.available) { return; }
      var element = document.getElementById("chart-" + item.code);
      if (!element) { return; }
      element.style.height = item.segments && item.segments.length ? "180px" : "140px";
      element.style.cursor = "pointer";
      var chart = chartFor(element, item);
      if (chart) { charts.push(chart); } else { element.style.height = "0"; }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
