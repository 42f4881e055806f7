/// The HTML report's inline style and script (`AuditReportHTML`): no
/// external font, image or library, so the page works offline from a file.
extension AuditReportHTML {
    static let style = """
        :root { --fail: #b91c1c; --warn: #b45309; --pass: #15803d; --wrong: #7e22ce; --muted: #555; --line: #d4d4d8; --bg: #fafafa; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0 auto; padding: 0 1.2em 2em;
               max-width: 1600px; color: #18181b; background: #fff; }
        code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        h1 { font-size: 1.35em; margin: .2em 0 .4em; }
        h2 { font-size: 1.15em; margin: 1.6em 0 .4em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
        h3 { font-size: 1em; margin: 1.1em 0 .3em; }
        .count { color: var(--muted); font-weight: normal; }
        .verdict { margin: 1em 0 0; padding: .7em 1em; border-radius: 6px; color: #fff; }
        .verdict.fail { background: var(--fail); } .verdict.pass { background: var(--pass); } .verdict.incomplete { background: var(--warn); }
        .verdict .tool { margin: 0; opacity: .9; }
        .facts, .numbers { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .4em 0; }
        .numbers { grid-template-columns: repeat(auto-fill, minmax(14em, max-content) minmax(6em, max-content)); }
        .numbers dd { text-align: right; font-variant-numeric: tabular-nums; }
        dt { color: var(--muted); } dd { margin: 0; }
        .warnings { color: var(--warn); margin: .4em 0; padding-left: 1.2em; }
        .note { color: var(--muted); margin: .2em 0 .5em; }
        .controls { margin: .3em 0; display: flex; gap: .8em; align-items: center; }
        .filter { font: inherit; padding: .2em .5em; border: 1px solid var(--line); border-radius: 4px; min-width: 18em; }
        .shown { color: var(--muted); font-size: .9em; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        th, td { border-bottom: 1px solid var(--line); padding: .25em .5em; text-align: left; vertical-align: top; }
        th { background: var(--bg); cursor: pointer; user-select: none; white-space: nowrap; position: sticky; top: 0; }
        th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td ul { margin: 0; padding-left: 1em; }
        .more, .folded { color: var(--muted); }
        .badge, .status, .tag { display: inline-block; padding: 0 .4em; border-radius: 3px; font-size: 12px; white-space: nowrap; }
        .tag { background: #eef2ff; }
        .sev-blocked-required .badge, .badge.sev-blocked-required, .badge.sev-failing-dns, .st-attempted-but-failing { background: var(--fail); color: #fff; }
        .badge.sev-undocumented, .badge.sev-name-mismatch { background: var(--warn); color: #fff; }
        .badge.sev-wrong-port { background: var(--wrong); color: #fff; }
        .badge.sev-required-not-seen, .st-not-seen { background: #fde68a; }
        .badge.sev-optional-unused, .st-unused { background: #e4e4e7; }
        .st-satisfied, .st-used { background: #dcfce7; }
        .kinds button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 4px; padding: .1em .6em; cursor: pointer; }
        .kinds button[aria-pressed="true"] { background: #18181b; color: #fff; }
        li.failure { color: var(--fail); }
        svg { font: 11px system-ui, sans-serif; max-width: 100%; height: auto; }
        .cell.v-allowed, .key.v-allowed { fill: var(--pass); background: var(--pass); }
        .cell.v-undocumented, .key.v-undocumented { fill: var(--warn); background: var(--warn); }
        .cell.v-wrong-port, .key.v-wrong-port { fill: var(--wrong); background: var(--wrong); }
        .cell.v-blocked, .key.v-blocked { fill: var(--fail); background: var(--fail); }
        .key { display: inline-block; width: .9em; height: .9em; margin: 0 .3em 0 1em; vertical-align: -.1em; }
        footer { margin-top: 2em; color: var(--muted); font-size: .9em; }
        @media print {
          body { font-size: 10pt; max-width: none; padding: 0; }
          .controls, .kinds { display: none; }
          tbody tr[hidden] { display: table-row; }
          .scroll { overflow: visible; }
          td { overflow-wrap: anywhere; }
          th { position: static; }
          tr, .verdict, svg { break-inside: avoid; }
          h2 { break-after: avoid; }
          .verdict, .badge, .status, .cell, .key { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          th[aria-sort]::after { content: none; }
        }

        """

    static let script = """
        (function () {
          "use strict";
          var kindsByTable = {};
          function applyFilter(tableId) {
            var table = document.getElementById(tableId);
            if (!table) { return; }
            var input = document.querySelector('input.filter[data-table="' + tableId + '"]');
            var query = input ? input.value.trim().toLowerCase() : "";
            var kinds = kindsByTable[tableId] || [];
            var rows = table.tBodies[0].rows, shown = 0;
            for (var i = 0; i < rows.length; i++) {
              var row = rows[i];
              var visible = (query === "" || row.textContent.toLowerCase().indexOf(query) !== -1)
                && (kinds.length === 0 || kinds.indexOf(row.getAttribute("data-kind")) !== -1);
              row.hidden = !visible;
              if (visible) { shown++; }
            }
            var counter = document.querySelector('span.shown[data-table="' + tableId + '"]');
            if (counter) { counter.textContent = shown + " of " + rows.length; }
          }
          function sortBy(table, index, numeric, direction) {
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            rows.forEach(function (row, i) { if (!row.hasAttribute("data-order")) { row.setAttribute("data-order", String(i)); } });
            function key(row) {
              var cell = row.cells[index];
              if (numeric) { var v = parseFloat(cell ? cell.getAttribute("data-sort") : ""); return isNaN(v) ? -Infinity : v; }
              return cell ? cell.textContent.trim().toLowerCase() : "";
            }
            rows.sort(function (a, b) {
              var x = key(a), y = key(b);
              var c = x < y ? -1 : (x > y ? 1 : 0);
              if (c === 0) { return Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")); }
              return direction === "ascending" ? c : -c;
            });
            rows.forEach(function (row) { body.appendChild(row); });
          }
          Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
            var heads = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(heads, function (th, index) {
              th.tabIndex = 0;
              function sort() {
                var numeric = th.classList.contains("num");
                var current = th.getAttribute("aria-sort");
                // Numbers first sort largest first; text A to Z.
                var direction = current === "none" ? (numeric ? "descending" : "ascending") : (current === "ascending" ? "descending" : "ascending");
                Array.prototype.forEach.call(heads, function (other) { other.setAttribute("aria-sort", "none"); });
                th.setAttribute("aria-sort", direction);
                sortBy(table, index, numeric, direction);
              }
              th.addEventListener("click", sort);
              th.addEventListener("keydown", function (event) {
                if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
              });
            });
          });
          Array.prototype.forEach.call(document.querySelectorAll("input.filter"), function (input) {
            input.addEventListener("input", function () { applyFilter(input.getAttribute("data-table")); });
          });
          Array.prototype.forEach.call(document.querySelectorAll(".kinds"), function (group) {
            var tableId = group.getAttribute("data-table");
            Array.prototype.forEach.call(group.querySelectorAll("button[data-kind]"), function (button) {
              button.addEventListener("click", function () {
                var pressed = button.getAttribute("aria-pressed") !== "true";
                button.setAttribute("aria-pressed", pressed ? "true" : "false");
                kindsByTable[tableId] = Array.prototype.map.call(group.querySelectorAll('button[aria-pressed="true"]'),
                  function (b) { return b.getAttribute("data-kind"); });
                applyFilter(tableId);
              });
            });
          });
        })();

        """
}
