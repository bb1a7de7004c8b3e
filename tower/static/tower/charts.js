/* Charts for the CMO Control Tower, drawn with the vendored Chart.js.
 *
 * Markup contract (the data comes from Django's json_script filter):
 *
 *   <div class="chart-box">
 *     <canvas data-chart="trend" data-source="otif-trend" aria-label="Net and gross OTIF by month"></canvas>
 *   </div>
 *   {{ trend|json_script:"otif-trend" }}
 *
 * data-chart is one of:
 *   trend   {"labels": [...], "series": [{"label": "Net OTIF", "values": [95.1, null, ...]}, ...],
 *            "target": 95.0 | null, "unit": "%", "links": [url | null, ...]}
 *           Lines; null is a gap, never 0. The target is a dashed line labelled "Target".
 *   bar     {"labels": [...], "values": [...], "label": "Late lines", "unit": "lines", "links": [...]}
 *   pareto  {"labels": [...], "values": [...], "label": "Failed lines", "unit": "lines", "links": [...]}
 *           Bars in the order given plus a cumulative % line on a right-hand 0-100 % axis.
 * "links" (optional) are URLs per label: clicking that point or bar opens it.
 *
 * Runs for the first page and for every fragment htmx swaps in (htmx.onLoad); a chart already on
 * a canvas is destroyed before it is drawn again, and charts inside content htmx removes are
 * destroyed with it.
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;

  // Fallbacks when tower.css (which defines the --chart-* variables) is not loaded.
  var FALLBACK = {
    "--chart-1": "#1a5fa6",
    "--chart-2": "#8a97a8",
    "--chart-3": "#c77c12",
    "--chart-4": "#5a8f3a",
    "--chart-target": "#a32016",
    "--chart-cumulative": "#c77c12",
    "--chart-grid": "#e4e8ed",
    "--chart-text": "#5b6675",
    "--font": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
  };

  function cssVar(name) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || FALLBACK[name];
  }

  function palette() {
    return {
      series: [cssVar("--chart-1"), cssVar("--chart-2"), cssVar("--chart-3"), cssVar("--chart-4")],
      target: cssVar("--chart-target"),
      cumulative: cssVar("--chart-cumulative"),
      grid: cssVar("--chart-grid"),
      text: cssVar("--chart-text"),
      font: cssVar("--font"),
    };
  }

  var numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1 });

  function isNumber(v) {
    return typeof v === "number" && isFinite(v);
  }

  function withUnit(value, unit) {
    if (!isNumber(value)) {
      return "no data";
    }
    var text = numberFormat.format(value);
    if (!unit) {
      return text;
    }
    return unit === "%" ? text + " %" : text + " " + unit;
  }

  function truncate(text, max) {
    text = String(text);
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function allIntegers(values) {
    return values.every(function (v) {
      return !isNumber(v) || Math.floor(v) === v;
    });
  }

  // Clicking (or tapping) a point or bar opens links[index] when there is one.
  function linkHandlers(links) {
    var hasLinks = Array.isArray(links) && links.some(Boolean);
    if (!hasLinks) {
      return {};
    }
    function linkAt(chart, event) {
      var hits = chart.getElementsAtEventForMode(event, "index", { intersect: false }, true);
      if (!hits.length) {
        return null;
      }
      return links[hits[0].index] || null;
    }
    return {
      onClick: function (event, elements, chart) {
        var url = linkAt(chart, event);
        if (url) {
          window.location.assign(url);
        }
      },
      onHover: function (event, elements, chart) {
        chart.canvas.classList.toggle("chart-linked", Boolean(linkAt(chart, event)));
      },
    };
  }

  // A dashed horizontal target line with its label, drawn across the plot area.
  var targetLine = {
    id: "towerTarget",
    afterDatasetsDraw: function (chart, args, opts) {
      if (!isNumber(opts.value)) {
        return;
      }
      var y = chart.scales.y;
      var area = chart.chartArea;
      var py = y.getPixelForValue(opts.value);
      if (py < area.top - 1 || py > area.bottom + 1) {
        return;
      }
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = opts.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = opts.color;
      ctx.font = "600 11px " + opts.font;
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillText(opts.text, area.right - 4, py - 3);
      ctx.restore();
    },
  };

  function baseOptions(p) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: {
          position: "bottom",
          labels: { color: p.text, boxWidth: 14, boxHeight: 10, font: { family: p.font, size: 12 } },
        },
        tooltip: {
          titleFont: { family: p.font },
          bodyFont: { family: p.font },
        },
      },
      scales: {
        x: {
          grid: { display: false },
          ticks: { color: p.text, font: { family: p.font, size: 11 }, maxRotation: 45, autoSkip: true },
        },
        y: {
          grid: { color: p.grid },
          border: { display: false },
          ticks: { color: p.text, font: { family: p.font, size: 11 } },
        },
      },
    };
  }

  function trendConfig(data, p) {
    var unit = data.unit === undefined ? "%" : data.unit;
    var labels = data.labels || [];
    var series = data.series || [];
    var target = isNumber(data.target) ? data.target : null;

    var seen = [];
    series.forEach(function (s) {
      (s.values || []).forEach(function (v) {
        if (isNumber(v)) {
          seen.push(v);
        }
      });
    });
    if (target !== null) {
      seen.push(target);
    }
    var low = seen.length ? Math.min.apply(null, seen) : 0;
    // Start a little below the lowest value (on a multiple of 5) so differences near the top of
    // the percentage range stay readable; Chart.js goes lower by itself if a value needs it.
    var suggestedMin = Math.max(0, Math.floor((low - 2) / 5) * 5);

    var datasets = series.map(function (s, i) {
      var colour = p.series[i % p.series.length];
      return {
        type: "line",
        label: s.label,
        data: (s.values || []).map(function (v) {
          return isNumber(v) ? v : null;
        }),
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: i === 0 ? 2.5 : 2,
        // point shapes differ per series as well as colours
        pointStyle: POINT_STYLES[i % POINT_STYLES.length],
        pointRadius: 3,
        pointHoverRadius: 5,
        spanGaps: false,
        tension: 0,
      };
    });

    var options = baseOptions(p);
    options.scales.y.suggestedMin = suggestedMin;
    options.scales.y.ticks.maxTicksLimit = 7;
    options.plugins.legend.labels.usePointStyle = true;
    options.plugins.legend.labels.pointStyle = "line";
    options.plugins.legend.labels.pointStyleWidth = 22;
    if (unit === "%") {
      options.scales.y.max = 100;
    }
    options.scales.y.ticks.callback = function (value) {
      return unit === "%" ? value + " %" : numberFormat.format(value);
    };
    options.plugins.tooltip.callbacks = {
      label: function (ctx) {
        return ctx.dataset.label + ": " + withUnit(ctx.raw, unit);
      },
      footer: function () {
        return target === null ? "" : "Target: " + withUnit(target, unit);
      },
    };
    options.plugins.towerTarget = {
      value: target,
      color: p.target,
      font: p.font,
      text: target === null ? "" : "Target " + withUnit(target, unit),
    };
    if (target !== null) {
      // A legend entry for the target, which is drawn by the plugin rather than as a dataset.
      options.plugins.legend.labels.generateLabels = function (chart) {
        var items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
        items.push({
          text: "Target",
          fillStyle: "rgba(0,0,0,0)",
          strokeStyle: p.target,
          lineWidth: 2,
          lineDash: [6, 4],
          pointStyle: "line",
          fontColor: p.text,
          hidden: false,
          datasetIndex: -1,
        });
        return items;
      };
      options.plugins.legend.onClick = function (e, item, legend) {
        if (item.datasetIndex >= 0) {
          Chart.defaults.plugins.legend.onClick.call(this, e, item, legend);
        }
      };
    }
    Object.assign(options, linkHandlers(data.links));

    return {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: options,
      plugins: [targetLine],
    };
  }

  function barConfig(data, p) {
    var unit = data.unit || "";
    var values = (data.values || []).map(function (v) {
      return isNumber(v) ? v : null;
    });
    var options = baseOptions(p);
    options.plugins.legend.display = false;
    options.scales.y.beginAtZero = true;
    if (allIntegers(values)) {
      options.scales.y.ticks.precision = 0;
    }
    options.scales.x.ticks.callback = function (value) {
      return truncate(this.getLabelForValue(value), 18);
    };
    options.plugins.tooltip.callbacks = {
      label: function (ctx) {
        return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + withUnit(ctx.raw, unit);
      },
    };
    Object.assign(options, linkHandlers(data.links));
    return {
      type: "bar",
      data: {
        labels: data.labels || [],
        datasets: [
          {
            label: data.label || "",
            data: values,
            backgroundColor: p.series[0],
            hoverBackgroundColor: p.series[0],
            borderRadius: 2,
            maxBarThickness: 48,
          },
        ],
      },
      options: options,
    };
  }

  function paretoConfig(data, p) {
    var unit = data.unit || "";
    var values = (data.values || []).map(function (v) {
      return isNumber(v) ? v : 0;
    });
    var total = values.reduce(function (a, b) {
      return a + b;
    }, 0);
    var running = 0;
    var cumulative = values.map(function (v) {
      running += v;
      return total > 0 ? Math.round((running / total) * 1000) / 10 : null;
    });

    var options = baseOptions(p);
    options.layout = { padding: { top: 6 } };
    options.scales.y.beginAtZero = true;
    if (allIntegers(values)) {
      options.scales.y.ticks.precision = 0;
    }
    options.scales.y.title = { display: Boolean(unit), text: unit, color: p.text };
    options.scales.x.ticks.callback = function (value) {
      return truncate(this.getLabelForValue(value), 18);
    };
    options.scales.y1 = {
      position: "right",
      min: 0,
      max: 100,
      grid: { drawOnChartArea: false },
      border: { display: false },
      ticks: {
        color: p.text,
        font: { family: p.font, size: 11 },
        stepSize: 20,
        callback: function (value) {
          return value + " %";
        },
      },
    };
    options.plugins.tooltip.callbacks = {
      label: function (ctx) {
        if (ctx.dataset.yAxisID === "y1") {
          return "Cumulative: " + withUnit(ctx.raw, "%");
        }
        return ctx.dataset.label + ": " + withUnit(ctx.raw, unit);
      },
    };
    Object.assign(options, linkHandlers(data.links));

    return {
      type: "bar",
      data: {
        labels: data.labels || [],
        datasets: [
          {
            type: "line",
            label: "Cumulative %",
            data: cumulative,
            yAxisID: "y1",
            borderColor: p.cumulative,
            backgroundColor: p.cumulative,
            borderWidth: 2,
            pointRadius: 3,
            tension: 0,
            clip: 6,
            order: 0,
          },
          {
            type: "bar",
            label: data.label || "",
            data: values,
            yAxisID: "y",
            backgroundColor: p.series[0],
            hoverBackgroundColor: p.series[0],
            borderRadius: 2,
            maxBarThickness: 48,
            order: 1,
          },
        ],
      },
      options: options,
    };
  }

  var POINT_STYLES = ["circle", "rect", "triangle", "rectRot"];

  var BUILDERS = { trend: trendConfig, bar: barConfig, pareto: paretoConfig };

  function fail(canvas, message) {
    if (canvas.parentElement) {
      canvas.parentElement.setAttribute("data-chart-error", message);
    }
    if (window.console) {
      console.warn("charts.js: " + message, canvas);
    }
  }

  function render(canvas) {
    var kind = canvas.getAttribute("data-chart");
    var build = BUILDERS[kind];
    if (!build) {
      fail(canvas, "Unknown chart kind “" + kind + "”.");
      return;
    }
    var sourceId = canvas.getAttribute("data-source");
    var source = sourceId && document.getElementById(sourceId);
    if (!source) {
      fail(canvas, "Chart data not found.");
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (err) {
      fail(canvas, "Chart data could not be read.");
      return;
    }
    if (!canvas.hasAttribute("role")) {
      canvas.setAttribute("role", "img");
    }
    var existing = Chart.getChart(canvas);
    if (existing) {
      existing.destroy();
    }
    if (canvas.parentElement) {
      canvas.parentElement.removeAttribute("data-chart-error");
    }
    var p = palette();
    Chart.defaults.font.family = p.font;
    Chart.defaults.color = p.text;
    new Chart(canvas, build(data || {}, p));
  }

  function renderWithin(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var canvases = Array.prototype.slice.call(root.querySelectorAll("canvas[data-chart]"));
    if (root.matches && root.matches("canvas[data-chart]")) {
      canvases.unshift(root);
    }
    canvases.forEach(function (canvas) {
      try {
        render(canvas);
      } catch (err) {
        fail(canvas, "The chart could not be drawn.");
        if (window.console) {
          console.error(err);
        }
      }
    });
  }

  // Printing: draw charts at the printed width and open the tables behind them.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      openedForPrint.push(d);
    });
    Object.values(Chart.instances).forEach(function (chart) {
      chart.resize();
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) {
      d.removeAttribute("open");
    });
    openedForPrint = [];
    Object.values(Chart.instances).forEach(function (chart) {
      chart.resize();
    });
  });

  if (window.htmx && typeof window.htmx.onLoad === "function") {
    window.htmx.onLoad(renderWithin);
    // Free the charts of content htmx is about to remove.
    document.addEventListener("htmx:beforeCleanupElement", function (event) {
      var el = event.target;
      if (el && el.tagName === "CANVAS") {
        var chart = Chart.getChart(el);
        if (chart) {
          chart.destroy();
        }
      }
    });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      renderWithin(document.body);
    });
  } else {
    renderWithin(document.body);
  }
})();

/* KPI trend charts of the scorecard (appended; the block above is unchanged).
 *
 *   <div class="chart-box kpi-sparkline">
 *     <canvas data-kpi-trend data-source="trend-otif_net" aria-label="Net OTIF, the last 5 periods"></canvas>
 *   </div>
 *   {{ chart|json_script:"trend-otif_net" }}
 *
 *   {"label": "Net OTIF", "labels": ["Q3 2025", ..., "Q3 2026"], "values": [96.1, null, ...],
 *    "target": 95.0 | null, "unit": "%", "links": [url | null, ...]}
 *
 * One line, the last point (the period shown) drawn larger; null is a gap, never 0; the target is
 * a dashed line. The canvases carry data-kpi-trend rather than data-chart so that the block above,
 * which knows only its own kinds, leaves them alone. Clicking a point opens links[index].
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function isNumber(v) {
    return typeof v === "number" && isFinite(v);
  }

  var numberFormat = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

  function withUnit(value, unit) {
    if (!isNumber(value)) {
      return "no data";
    }
    var text = numberFormat.format(value);
    return unit ? (unit === "%" ? text + " %" : text + " " + unit) : text;
  }

  var kpiTarget = {
    id: "towerKpiTarget",
    afterDatasetsDraw: function (chart, args, opts) {
      if (!isNumber(opts.value)) {
        return;
      }
      var area = chart.chartArea;
      var py = chart.scales.y.getPixelForValue(opts.value);
      if (py < area.top - 1 || py > area.bottom + 1) {
        return;
      }
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = opts.color;
      ctx.lineWidth = 1.25;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.restore();
    },
  };

  function config(data) {
    var font = cssVar("--font", "system-ui, sans-serif");
    var text = cssVar("--chart-text", "#5b6675");
    var line = cssVar("--chart-1", "#1a5fa6");
    var target = isNumber(data.target) ? data.target : null;
    var unit = data.unit || "";
    var values = (data.values || []).map(function (v) {
      return isNumber(v) ? v : null;
    });
    var last = values.length - 1;
    var seen = values.filter(isNumber);
    if (target !== null) {
      seen.push(target);
    }
    var links = Array.isArray(data.links) ? data.links : [];
    var y = {
      grid: { color: cssVar("--chart-grid", "#e4e8ed") },
      border: { display: false },
      ticks: {
        color: text,
        font: { family: font, size: 10 },
        maxTicksLimit: 3,
        callback: function (value) {
          return withUnit(value, unit === "%" ? "%" : "");
        },
      },
    };
    if (unit === "%") {
      var low = seen.length ? Math.min.apply(null, seen) : 0;
      y.suggestedMin = Math.max(0, Math.floor((low - 2) / 5) * 5);
      y.max = 100;
    } else if (unit === "of 5") {
      y.min = 1; // a rating scale
      y.max = 5;
    } else {
      y.beginAtZero = true;
      if (seen.every(function (v) { return Math.floor(v) === v; })) {
        y.ticks.precision = 0;
      }
    }
    return {
      type: "line",
      data: {
        labels: data.labels || [],
        datasets: [
          {
            label: data.label || "",
            data: values,
            borderColor: line,
            backgroundColor: line,
            borderWidth: 2,
            pointRadius: values.map(function (v, i) {
              return i === last ? 4.5 : 2.5;
            }),
            pointHoverRadius: 5,
            spanGaps: false,
            tension: 0,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        layout: { padding: { top: 4, right: 4 } },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: {
            titleFont: { family: font },
            bodyFont: { family: font },
            callbacks: {
              label: function (ctx) {
                return withUnit(ctx.raw, unit);
              },
              footer: function () {
                return target === null ? "" : "Target: " + withUnit(target, unit);
              },
            },
          },
          towerKpiTarget: { value: target, color: cssVar("--chart-target", "#a32016") },
        },
        scales: {
          x: {
            grid: { display: false },
            ticks: { color: text, font: { family: font, size: 10 }, maxRotation: 0, autoSkip: true },
          },
          y: y,
        },
        onClick: function (event, elements, chart) {
          var hits = chart.getElementsAtEventForMode(event, "index", { intersect: false }, true);
          var url = hits.length ? links[hits[0].index] : null;
          if (url) {
            window.location.assign(url);
          }
        },
      },
      plugins: [kpiTarget],
    };
  }

  function render(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source") || "");
    if (!source) {
      return;
    }
    var existing = Chart.getChart(canvas);
    if (existing) {
      existing.destroy();
    }
    if (!canvas.hasAttribute("role")) {
      canvas.setAttribute("role", "img");
    }
    try {
      new Chart(canvas, config(JSON.parse(source.textContent) || {}));
    } catch (err) {
      if (canvas.parentElement) {
        canvas.parentElement.setAttribute("data-chart-error", "The chart could not be drawn.");
      }
      if (window.console) {
        console.error(err);
      }
    }
  }

  function renderWithin(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var canvases = Array.prototype.slice.call(root.querySelectorAll("canvas[data-kpi-trend]"));
    if (root.matches && root.matches("canvas[data-kpi-trend]")) {
      canvases.unshift(root);
    }
    canvases.forEach(render);
  }

  // Charts inside content htmx removes are destroyed by the block above (any canvas).
  if (window.htmx && typeof window.htmx.onLoad === "function") {
    window.htmx.onLoad(renderWithin);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      renderWithin(document.body);
    });
  } else {
    renderWithin(document.body);
  }
})();
