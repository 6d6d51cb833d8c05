/* 复盘 page: the 打印 button prints it (A4, static/css/review.css). */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', () => {
    const button = document.getElementById('print-review');
    if (button) button.addEventListener('click', () => window.print());
  });
}());
