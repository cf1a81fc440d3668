/* 党建工作平台: small behaviours on top of htmx and Bootstrap. No inline scripts in the pages. */
(function () {
  "use strict";

  /* Fields that belong to one choice of another field (e.g. the transfer fields of a membership
     event): data-show-when="<field name>" data-show-values="a,b". Hidden fields stay in the form. */
  function applyShowWhen(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (group) {
      var form = group.closest("form");
      if (!form) return;
      var control = form.elements[group.dataset.showWhen];
      if (!control) return;
      var values = (group.dataset.showValues || "").split(",");
      var update = function () { group.hidden = values.indexOf(control.value) === -1; };
      if (!control.dataset.djShowWhenBound) {
        control.dataset.djShowWhenBound = "1";
        control.addEventListener("change", function () { applyShowWhen(form); });
      }
      update();
    });
  }

  /* Enter in an organization picker's search box searches; it must not submit the whole form. */
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches(".dj-org-picker input[type=search]")) {
      e.preventDefault();
      e.target.dispatchEvent(new Event("search"));
    }
  });

  /* ECharts: <div class="dj-chart" data-chart="key" data-chart-source="json-script-id">. */
  function drawCharts(root) {
    if (typeof window.echarts === "undefined") return;
    root.querySelectorAll(".dj-chart[data-chart]").forEach(function (el) {
      if (el.dataset.djDrawn) return;
      var source = document.getElementById(el.dataset.chartSource);
      if (!source) return;
      var spec = JSON.parse(source.textContent)[el.dataset.chart];
      if (!spec) return;
      el.dataset.djDrawn = "1";
      var chart = window.echarts.init(el);
      var title = { text: spec.title, left: "center", textStyle: { fontSize: 13 } };
      var option;
      if (spec.type === "pie") {
        option = {
          title: title, tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
          color: ["#b3141c", "#e7a33e", "#6c757d", "#3b7dd8"],
          series: [{ type: "pie", radius: ["35%", "65%"], top: 24,
                     data: spec.data.filter(function (d) { return d[1] > 0; }).map(function (d) { return { name: d[0], value: d[1] }; }),
                     label: { formatter: "{b}\n{c}" } }]
        };
      } else {
        option = {
          title: title, tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 36, bottom: 50 },
          xAxis: { type: "category", data: spec.data.map(function (d) { return d[0]; }),
                   axisLabel: { interval: 0, rotate: spec.data.length > 6 ? 30 : 0, fontSize: 11 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: "bar", data: spec.data.map(function (d) { return d[1]; }), itemStyle: { color: "#b3141c" } }]
        };
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function init(root) {
    applyShowWhen(root);
    drawCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
  /* A fragment request whose session expired answers with the login page: go there instead. */
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      e.detail.shouldSwap = false;
      window.location.href = xhr.responseURL;
    }
  });
})();
