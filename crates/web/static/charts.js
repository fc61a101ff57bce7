// Draws the report charts with ECharts. Each <div class="chart" data-chart-source="ID">
// takes its data from <script type="application/json" id="ID">; the numbers are also in
// the table beside the chart, so the page works without this script.
(function () {
  "use strict";

  var PALETTE = ["#1f5fa8", "#c0392b", "#d68910", "#1e8449", "#7d3c98", "#117a8b", "#7f8c8d", "#b9770e"];

  function valueAxis(axis, horizontal) {
    var config = {
      type: "value",
      name: axis.name,
      // A vertical axis names itself above its top end, where ECharts keeps the name
      // inside the chart; beside the axis it was cut at the chart's edge.
      nameLocation: horizontal ? "middle" : "end",
      nameGap: horizontal ? 28 : 12,
      axisLabel: { formatter: axis.percent ? "{value}%" : "{value}" },
      minInterval: 1
    };
    if (axis.percent) {
      config.min = 0;
      config.max = 100;
    }
    return config;
  }

  function optionFor(spec) {
    var category = {
      type: "category",
      data: spec.labels,
      axisLabel: { interval: 0, width: spec.horizontal ? 96 : 80, overflow: "break" }
    };
    if (spec.horizontal) {
      // The first label at the top, as in the table beside the chart.
      category.inverse = true;
    }
    var values = spec.axes.map(function (axis) { return valueAxis(axis, spec.horizontal); });
    var percentAxes = spec.axes.map(function (axis) { return axis.percent; });
    return {
      color: PALETTE,
      // Room on the right for the value labels of horizontal bars (such as "100%"), and
      // at the top for the legend and the names of vertical axes.
      grid: {
        left: 8,
        right: spec.horizontal ? 48 : 16,
        top: (spec.series.length > 1 ? 48 : 16) + (spec.horizontal ? 0 : 24),
        bottom: 40,
        containLabel: true
      },
      legend: spec.series.length > 1 ? { top: 0, type: "scroll" } : undefined,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: spec.horizontal ? values : category,
      yAxis: spec.horizontal ? category : values,
      series: spec.series.map(function (series) {
        var axisKey = spec.horizontal ? "xAxisIndex" : "yAxisIndex";
        var config = {
          name: series.name,
          type: series.kind,
          data: series.values,
          stack: series.stack || undefined,
          barMaxWidth: 28,
          label: {
            show: !series.stack && series.kind === "bar",
            position: spec.horizontal ? "right" : "top",
            formatter: percentAxes[series.axis] ? "{c}%" : "{c}"
          },
          tooltip: {
            valueFormatter: function (value) { return percentAxes[series.axis] ? value + "%" : value; }
          }
        };
        config[axisKey] = series.axis;
        return config;
      })
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chartSource);
    if (!source || !window.echarts) return null;
    var spec = JSON.parse(source.textContent);
    if (spec.horizontal) {
      // A band of 32 px per label keeps long unit lists readable on a phone. Setting the
      // height through element.style (CSSOM) is allowed by the page's style-src 'self'.
      element.style.height = Math.max(240, spec.labels.length * 32 + 96) + "px";
    }
    var chart = window.echarts.init(element);
    chart.setOption(optionFor(spec));
    return chart;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var charts = [];
    document.querySelectorAll(".chart[data-chart-source]").forEach(function (element) {
      var chart = draw(element);
      if (chart) charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  });
})();
