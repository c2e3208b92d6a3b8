// layout_probe.js — evaluated in the laid-out page by tests/report/
// html_browser.py (the page itself holds no script) to measure what the
// browser drew; leaves the measurements in window.__layout for
// html_check.py `layout`.
(function () {
  const r = { vw: document.documentElement.clientWidth, docW: document.documentElement.scrollWidth,
              docH: document.documentElement.scrollHeight, blocks: [], outside: [], overlap: [],
              tables: [] };
  const box = (e) => { const b = e.getBoundingClientRect();
                       return [b.left, b.top + window.scrollY, b.right, b.bottom + window.scrollY]; };
  document.querySelectorAll('.block').forEach((b) => {
    const tw = b.querySelector('.tw'), fig = b.querySelector('figure.chart');
    const svg = b.querySelector('figure.chart svg');
    let minFont = 99;
    if (svg) {
      const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      svg.querySelectorAll('text').forEach((t) => {
        const h = parseFloat(getComputedStyle(t).fontSize) * k;
        if (h < minFont) minFont = h;
      });
    }
    r.blocks.push({ id: b.id, narrow: b.querySelector('.pair').classList.contains('narrow'),
                    box: box(b), table: box(tw), chart: fig ? box(fig) : null, minFont: minFont,
                    // a table wider than its box scrolls inside it, not the page
                    tableScrolls: tw.scrollWidth > tw.clientWidth + 1,
                    captionVisible: box(b.querySelector('caption .cap'))[2] <= r.vw + 1 });
  });
  document.querySelectorAll('figure.chart svg').forEach((svg) => {
    const W = svg.viewBox.baseVal.width, H = svg.viewBox.baseVal.height;
    const texts = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent, b: t.getBBox() }));
    texts.forEach((x) => {
      if (x.b.x < -0.5 || x.b.x + x.b.width > W + 0.5 || x.b.y < -0.5 || x.b.y + x.b.height > H + 0.5)
        r.outside.push(x.t);
    });
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].b, c = texts[j].b;
        // glyph boxes include the line's leading: a little overlap is none
        const ix = Math.min(a.x + a.width, c.x + c.width) - Math.max(a.x, c.x);
        const iy = Math.min(a.y + a.height, c.y + c.height) - Math.max(a.y, c.y);
        if (ix > 1 && iy > 3) r.overlap.push(texts[i].t + ' / ' + texts[j].t);
      }
  });
  window.__layout = r;
})();
