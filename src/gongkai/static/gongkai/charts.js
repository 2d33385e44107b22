// Charts: every element with data-chart="<id of a json_script element>" becomes an ECharts chart with that
// option. The figures are always also in an accessible table next to the chart; without JavaScript or ECharts
// the table remains. Load after vendor/echarts/echarts.min.js.
(function () {
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var option;
      try { option = JSON.parse(source.textContent); } catch (e) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.chartReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
