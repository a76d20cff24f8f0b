// The site's browser test runs this in every page, at each viewport and colour scheme, and reports what it returns:
// a list of problems a reader would see (empty when the page holds). It measures the page as laid out, so it fails
// on what a reader sees and not on what the CSS says.
(() => {
  const problems = [];
  const main = document.querySelector('main.content');
  if (!main) return ['no main.content element'];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0';
  };

  // ---- 1. no page-level horizontal scroll ----
  const scroll = document.documentElement.scrollWidth - window.innerWidth;
  if (scroll > 1) problems.push(`the page scrolls sideways by ${scroll} px`);

  // ---- 2. nothing wider than the text column (inside a box that scrolls or clips, overflow is that box's own) ----
  const ms = getComputedStyle(main);
  const mr = main.getBoundingClientRect();
  const column = { left: mr.left + parseFloat(ms.paddingLeft), right: mr.right - parseFloat(ms.paddingRight) };
  const columnWidth = column.right - column.left;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
    }
    return false;
  };
  const wide = [];
  for (const el of main.querySelectorAll('*')) {
    if (!visible(el) || clipped(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > column.right + 1 || r.left < column.left - 1) wide.push(`${name(el)} (${Math.round(r.left)}..${Math.round(r.right)} px)`);
  }
  if (wide.length) problems.push(`${wide.length} element(s) outside the text column ${Math.round(column.left)}..${Math.round(column.right)} px, e.g. ${wide.slice(0, 3).join(', ')}`);

  // ---- 3. code blocks as wide as the text column (those in the flow of the text, not in lists or tables) ----
  for (const pre of main.querySelectorAll('.listingblock pre, .literalblock pre')) {
    if (!visible(pre) || pre.closest('li, table, .admonitionblock, .exampleblock, .sidebarblock, .colist')) continue;
    const w = pre.getBoundingClientRect().width;
    if (w < columnWidth - 2) {
      problems.push(`a code block is ${Math.round(w)} px wide in a ${Math.round(columnWidth)} px text column`);
      break;
    }
  }

  // ---- 4. the search page's results use the room the text has: the window less the course and "On this page"
  //         columns where they stand beside it (measured on the window, since a broken page squeezes main too) ----
  const results = document.getElementById('search-page');
  if (results) {
    const beside = ['.sidebar', '.pagetoc'].map((s) => document.querySelector(s))
      .filter((el) => el && visible(el) && getComputedStyle(el).position !== 'fixed')
      .reduce((sum, el) => sum + el.getBoundingClientRect().width, 0);
    const room = Math.min(window.innerWidth - beside, 880);
    const w = visible(results) ? results.getBoundingClientRect().width : 0;
    if (w < 0.6 * room) problems.push(`the search results are ${Math.round(w)} px wide, under 60 % of the ${Math.round(room)} px the text has`);
  }

  // ---- 5. headings: one h1, first; no level skipped on the way down ----
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).filter(visible);
  const levels = headings.map((h) => Number(h.tagName[1]));
  if (!headings.length) problems.push('no visible heading');
  else if (levels[0] !== 1) problems.push(`the first heading is an h${levels[0]} (${headings[0].textContent.trim().slice(0, 40)}), not the page's h1`);
  if (levels.filter((l) => l === 1).length !== 1) problems.push(`${levels.filter((l) => l === 1).length} h1 headings, not one`);
  for (let i = 1; i < levels.length; i++) {
    if (levels[i] > levels[i - 1] + 1) {
      problems.push(`an h${levels[i]} (${headings[i].textContent.trim().slice(0, 40)}) follows an h${levels[i - 1]}`);
      break;
    }
  }

  // ---- 6. contrast: every piece of text, code tokens included, at 4.5:1 (3:1 when large), on what is behind it ----
  const rgba = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined || Number.isNaN(a) ? 1 : a];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let p = el; p; p = p.parentElement) {
      const c = rgba(getComputedStyle(p).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    const base = matchMedia('(prefers-color-scheme: dark)').matches && !document.documentElement.dataset.theme ? [0, 0, 0, 1] : [255, 255, 255, 1];
    return layers.reverse().reduce((under, layer) => over(layer, under), layers.length && layers[0][3] >= 1 ? layers[0] : base);
  };
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const low = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || seen.has(el) || !visible(el) || el.closest('svg, .skip, [aria-hidden="true"]')) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const fg = rgba(s.color);
    if (!fg) continue;
    const bg = background(el);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    const r = ratio(over(fg, bg), bg);
    if (r < (large ? 3 : 4.5)) low.push(`${name(el)} "${node.textContent.trim().slice(0, 24)}" ${r.toFixed(2)}:1`);
  }
  if (low.length) problems.push(`${low.length} text(s) under the contrast minimum, e.g. ${low.slice(0, 3).join('; ')}`);
  // ---- 7. a lesson page reads step, output, explanation: its run placed step by step in "What you will see",
  //         not in one block at the end; every step shows what it printed or the checks it made ----
  if (document.body.classList.contains('lesson')) {
    const steps = Array.from(main.querySelectorAll('.steps > .step'));
    if (steps.length < 3) problems.push(`${steps.length} steps of the run beside the text, not one per step the lesson prints`);
    const silent = steps.filter((s) => !s.querySelector('pre.transcript, ul.checks'));
    if (silent.length) problems.push(`${silent.length} step(s) with no output, e.g. ${silent[0].querySelector('h3').textContent.trim()}`);
    const section = main.querySelector('.steps') && main.querySelector('.steps').closest('.sect1');
    const heading = section && section.querySelector('h2');
    if (steps.length && (!heading || !/what you will see/i.test(heading.textContent))) problems.push('the run\'s steps are not in "What you will see"');
    const facts = (main.querySelector('.page-head .facts') || {}).textContent || '';
    if (!/level \d of 3/.test(facts) || !/\d+ min to read/.test(facts) || !/\d+ min for the exercise/.test(facts)) {
      problems.push(`the page does not state its level and time under its title (it says "${facts.trim()}")`);
    }
    const long = Array.from(main.querySelectorAll('pre.transcript')).filter((p) => !p.closest('.step'));
    if (long.length) problems.push(`${long.length} transcript(s) outside the steps, e.g. one of ${long[0].textContent.split('\n').length} lines`);
  }

  // ---- 8. "lesson 06" in the text is a link to that lesson (its own number aside); a lesson page ends with related
  //         patterns and further reading ----
  const own = (location.pathname.match(/(\d\d)-[a-z0-9-]+\.html$/) || [])[1];
  const unlinked = [];
  const prose = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = prose.nextNode(); node; node = prose.nextNode()) {
    if (!node.parentElement || node.parentElement.closest('a, code, pre, h1, h2, h3, h4, h5, h6, svg, .eyebrow')) continue;
    for (const m of node.textContent.matchAll(/\blessons?\s+(\d\d)\b/gi)) if (m[1] !== own) unlinked.push(m[0]);
  }
  if (unlinked.length) problems.push(`${unlinked.length} mention(s) of a lesson that are not links, e.g. "${unlinked.slice(0, 3).join('", "')}"`);
  if (document.body.classList.contains('lesson')) {
    const related = document.getElementById('related');
    const box = related && related.closest('.sect1');
    if (!box || !box.querySelector('a[href^="patterns.html#"]') || !box.querySelector('a[href^="https://"]')) {
      problems.push('no "Related patterns and further reading" at the end, with a pattern of this course and a link to read further');
    }
  }

  // ---- 9. every code block has a copy button that copies its code; Java code names the file it comes from ----
  const blocks = Array.from(main.querySelectorAll('.listingblock')).filter(visible);
  const copied = [];
  const own_clipboard = Object.getOwnPropertyDescriptor(navigator, 'clipboard');
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: (t) => { copied.push(t); return Promise.resolve(); } } });
  const onCopy = () => { const a = document.activeElement; if (a && a.tagName === 'TEXTAREA') copied.push(a.value); };
  document.addEventListener('copy', onCopy);
  const wrong = [];
  for (const block of blocks) {
    const button = block.querySelector('button.copy');
    if (!button || !visible(button)) { wrong.push('a block with no copy button'); continue; }
    const code = block.querySelector('pre').cloneNode(true);
    code.querySelectorAll('.conum, .conum + b').forEach((n) => n.remove());
    const want = code.textContent.trim();
    copied.length = 0;
    button.click();
    if (copied.length !== 1 || copied[0].trim() !== want) {
      wrong.push(`the button of "${want.slice(0, 30)}…" copied ${copied.length ? copied[0].trim().length + ' characters' : 'nothing'}, not its ${want.length}`);
    }
  }
  document.removeEventListener('copy', onCopy);
  if (own_clipboard) Object.defineProperty(navigator, 'clipboard', own_clipboard); else delete navigator.clipboard;
  if (wrong.length) problems.push(`${wrong.length} of ${blocks.length} code blocks do not copy their code: ${wrong.slice(0, 2).join('; ')}`);
  if (document.body.classList.contains('lesson')) {
    const nameless = blocks.filter((b) => b.querySelector('code[data-lang="java"]') && !/\.java\b/.test((b.querySelector(':scope > .title') || {}).textContent || ''));
    if (nameless.length) problems.push(`${nameless.length} Java block(s) without the file they come from as caption, e.g. "${nameless[0].textContent.trim().slice(0, 40)}"`);
  }

  // ---- 10. pictures: a lesson page has a sequence diagram drawn from its run (unless site/lessons.tsv names no step
  //          for it, which the page then says), and no label in any diagram is crossed by an arrow other than its own ----
  if (document.body.classList.contains('lesson') && !main.querySelector('figure.run-diagram svg') && !main.querySelector('.no-run-diagram')) {
    problems.push('no sequence diagram drawn from the lesson\'s run');
  }
  const crossed = [];
  for (const svg of main.querySelectorAll('svg.diagram-svg')) {
    const arrows = Array.from(svg.querySelectorAll('.msg')).filter((a) => typeof a.getTotalLength === 'function');
    for (const label of svg.querySelectorAll('text.label')) {
      // a label on a background hides what passes behind it: the background is what must stay clear
      const bg = label.previousElementSibling;
      const b = bg && bg.classList.contains('label-bg') ? bg.getBBox() : label.getBBox();
      const hit = arrows.find((a) => {
        if (label.dataset.edge !== undefined && a.dataset.edge === label.dataset.edge) return false;
        const length = a.getTotalLength();
        for (let d = 0; d <= length; d += 2) {
          const p = a.getPointAtLength(d);
          if (p.x > b.x + 1 && p.x < b.x + b.width - 1 && p.y > b.y + 1 && p.y < b.y + b.height - 1) return true;
        }
        return false;
      });
      if (hit) crossed.push(label.textContent);
    }
  }
  if (crossed.length) problems.push(`${crossed.length} diagram label(s) crossed by an arrow, e.g. "${crossed[0]}"`);
  return problems;
})()
