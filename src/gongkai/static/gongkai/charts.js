// Charts: every element with data-chart="<id of a json_script element>" becomes an ECharts chart with that
// option. The figures are always also in an accessible table next to the chart; without JavaScript or ECharts
// the table remains. Load after vendor/echarts/echarts.min.js.
(function () {
  // Rough width in pixels of a 12px axis label: CJK characters are square, the rest about 7px wide.
  function labelWidth(text) {
    var w = 0;
    for (var i = 0; i < text.length; i++) w += text.charCodeAt(i) > 0x2e7f ? 12 : 7;
    return w;
  }
  // Adjustments the option cannot know: room on the left for a rotated first category label (containLabel
  // leaves it clipped), and data-chart-top-down to list a horizontal bar chart in the table's order.
  function adjust(el, option) {
    var x = option.xAxis;
    if (x && !Array.isArray(x) && x.type === "category" && x.axisLabel && x.axisLabel.rotate && x.data && x.data.length) {
      var slant = Math.cos(x.axisLabel.rotate * Math.PI / 180);
      var need = Math.ceil(labelWidth(String(x.data[0])) * slant) - 24;
      option.grid = option.grid || {};
      if ((option.grid.left || 0) < need) option.grid.left = need;
    }
    var y = option.yAxis;
    if ("chartTopDown" in el.dataset && y && !Array.isArray(y) && y.type === "category") y.inverse = true;
    return option;
  }
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var option;
      try { option = JSON.parse(source.textContent); } catch (e) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(adjust(el, option));
      el.dataset.chartReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
