// MKT-4: the quarter's price per competitor product as lines (data from a json_script block; no inline JS).
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("competitor-chart");
  const source = document.getElementById("competitor-chart-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  if (!data.series.length) return;
  holder.style.height = "360px";
  const chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", name: holder.dataset.priceLabel || "" },
    series: data.series.map((s) => ({ name: s.name, type: "line", connectNulls: true, data: s.data })),
  });
  window.addEventListener("resize", () => chart.resize());
});
