/* The monthly report page: its 打印 button (print CSS in css/reports.css lays it out on A4). */
(function () {
  'use strict';
  const button = document.getElementById('print-report');
  if (button) button.addEventListener('click', () => window.print());
}());
