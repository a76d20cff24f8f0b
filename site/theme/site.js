// Microservices Patterns Workbook: light or dark, the course drawer on small screens, "On this page" tracking, a copy
// button on code blocks, and the search, over an index built with the site (assets/search-index.js). No library, no network: works from file://.
(function () {
  'use strict';
  var root = document.documentElement;

  // ---- light or dark: the system's choice until the reader picks one ----
  var themeButton = document.querySelector('.theme-button');
  if (themeButton) themeButton.addEventListener('click', function () {
    var dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    try { localStorage.setItem('workbook-theme', root.dataset.theme); } catch (e) { /* storage may be off: fine */ }
  });

  // ---- the course drawer ----
  var menuButton = document.querySelector('.menu-button');
  if (menuButton) menuButton.addEventListener('click', function () {
    var open = document.body.classList.toggle('menu-open');
    menuButton.setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { document.body.classList.remove('menu-open'); hideResults(); }
  });

  // ---- "On this page": mark the section being read ----
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll('.pagetoc a'));
  if (tocLinks.length && 'IntersectionObserver' in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.getAttribute('href').slice(1))] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        tocLinks.forEach(function (a) { a.classList.remove('active'); });
        var link = byId[entry.target.id];
        if (link) link.classList.add('active');
      });
    }, { rootMargin: '-10% 0px -75% 0px' });
    Object.keys(byId).forEach(function (id) { var h = document.getElementById(id); if (h) observer.observe(h); });
  }

  // ---- a copy button on every code block: the code as it reads, without the callout numbers ----
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // file:// pages in some browsers have no clipboard API: copy the old way, through a selection
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand('copy');
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }
  Array.prototype.forEach.call(document.querySelectorAll('.listingblock > .content'), function (box) {
    var pre = box.querySelector('pre');
    if (!pre) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy this code');
    button.addEventListener('click', function () {
      var code = pre.cloneNode(true);
      Array.prototype.forEach.call(code.querySelectorAll('.conum, .conum + b'), function (n) { n.remove(); });
      copyText(code.textContent.replace(/\s+$/, '') + '\n').then(function () { button.textContent = 'Copied'; },
        function () { button.textContent = 'Select and copy'; });
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    });
    box.appendChild(button);
  });

  // ---- search ----
  // The index is a quarter of the site's bytes, so a page loads it only when the reader starts a search: as a
  // script beside this one (a fetch would not work from file://).
  var index = null, waiting = null;
  function withIndex(then) {
    if (index) { then(); return; }
    if (waiting) { waiting.push(then); return; }
    waiting = [then];
    var script = document.createElement('script');
    script.src = document.querySelector('script[src$="site.js"]').getAttribute('src').replace(/site\.js$/, 'search-index.js');
    script.onload = function () {
      index = (window.WORKBOOK_SEARCH || []).map(function (e) {
        return { p: e.p, s: e.s, u: e.u, x: e.x, title: norm(e.p + ' ' + e.s), text: norm(e.x) };
      });
      var ready = waiting;
      waiting = null;
      ready.forEach(function (f) { f(); });
    };
    document.head.appendChild(script);
  }
  // Sections about a lesson as a whole mention everything; the section that teaches an idea should come first.
  var WHOLE_LESSON = /^(what you will see|the exercise|when not to use it|in production|run it|the tests your code must pass)$/i;

  function norm(s) { return ' ' + s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim() + ' '; }
  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; });
  }
  function count(hay, needle) {
    var n = 0, i = hay.indexOf(needle);
    while (i >= 0 && n < 20) { n++; i = hay.indexOf(needle, i + needle.length); }
    return n;
  }

  /** Entries holding every word of the query (as a word or the start of one), best first. */
  function search(query) {
    var terms = norm(query).trim().split(' ').filter(Boolean);
    if (!terms.length) return [];
    var phrase = ' ' + terms.join(' ');
    var results = [];
    index.forEach(function (e) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var t = ' ' + terms[i];
        var inTitle = e.title.indexOf(t) >= 0, inText = e.text.indexOf(t) >= 0;
        if (!inTitle && !inText) return;
        score += (inTitle ? 8 : 0) + Math.min(6, count(e.text, t));
      }
      if (e.title.indexOf(phrase) >= 0) score += 40;
      score += Math.min(30, 10 * count(e.text, phrase));
      if (WHOLE_LESSON.test(e.s)) score = Math.round(score / 2);
      results.push({ e: e, score: score });
    });
    results.sort(function (a, b) { return b.score - a.score; });
    return results.map(function (r) { return r.e; });
  }

  function snippet(text, query) {
    var terms = norm(query).trim().split(' ').filter(Boolean);
    var lower = text.toLowerCase();
    var at = lower.indexOf(terms.join(' '));
    if (at < 0) at = terms.reduce(function (best, t) { var i = lower.indexOf(t); return best >= 0 ? best : i; }, -1);
    var start = Math.max(0, at - 60);
    var piece = (start > 0 ? '…' : '') + text.slice(start, start + 180) + (start + 180 < text.length ? '…' : '');
    var html = escapeHtml(piece);
    terms.forEach(function (t) {
      html = html.replace(new RegExp('(' + t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ')', 'gi'), '<mark>$1</mark>');
    });
    return html;
  }

  function resultHtml(e, query, cls) {
    return '<a class="' + cls + '" href="' + escapeHtml(e.u) + '"><span class="r-title">' + escapeHtml(e.p) +
      (e.s ? ' › ' + escapeHtml(e.s) : '') + '</span><span class="r-snip">' + snippet(e.x, query) + '</span></a>';
  }

  var input = document.getElementById('search-input');
  var box = document.getElementById('search-results');
  var active = -1;

  function hideResults() { if (box) { box.hidden = true; active = -1; } }

  function showResults() {
    if (input.value.trim().length < 2) { hideResults(); return; }
    withIndex(showFound);
  }

  function showFound() {
    var q = input.value.trim();
    if (q.length < 2) return;
    var found = search(q);
    box.innerHTML = found.length
      ? found.slice(0, 8).map(function (e) { return resultHtml(e, q, 'result'); }).join('') +
        (found.length > 8 ? '<a class="result more" href="search.html?q=' + encodeURIComponent(q) + '"><span class="r-title">All ' + found.length + ' results</span></a>' : '')
      : '<div class="r-none">Nothing found for “' + escapeHtml(q) + '”.</div>';
    box.hidden = false;
    active = -1;
  }

  if (input && box) {
    input.addEventListener('input', showResults);
    input.addEventListener('focus', function () { if (input.value.trim().length >= 2) showResults(); else withIndex(function () {}); });
    input.addEventListener('keydown', function (e) {
      var links = box.querySelectorAll('a');
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (!links.length) return;
        e.preventDefault();
        active = (active + (e.key === 'ArrowDown' ? 1 : links.length - 1)) % links.length;
        Array.prototype.forEach.call(links, function (a, i) { a.classList.toggle('active', i === active); });
      } else if (e.key === 'Enter' && active >= 0 && links[active]) {
        e.preventDefault();
        location.href = links[active].href;
      }
    });
    document.addEventListener('click', function (e) { if (!e.target.closest('.topbar .search')) hideResults(); });
    document.addEventListener('keydown', function (e) {
      if (e.key === '/' && document.activeElement !== input && !/input|textarea/i.test(document.activeElement.tagName)) {
        e.preventDefault();
        input.focus();
      }
    });
  }

  // The search page: every result for ?q=...
  var page = document.getElementById('search-page');
  if (page) {
    var q = new URLSearchParams(location.search).get('q') || '';
    if (input) input.value = q;
    if (q.trim()) withIndex(function () {
      var found = search(q);
      page.innerHTML = '<p class="sub">' + found.length + ' result' + (found.length === 1 ? '' : 's') + ' for “' + escapeHtml(q) + '”.</p>' +
        found.map(function (e) { return resultHtml(e, q, 'result'); }).join('');
    });
  }
})();
