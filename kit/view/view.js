// The workbook's view of a lesson's run (kit/src/kit/View.java, tools/site): the services as boxes, each call as an
// arrow with its method, path, status and time, the pattern's state, the step and its narration. Live, it reads the
// run's events from the lesson (--view) by server-sent events; on the site it replays the events recorded in the page.
// No library: the drawing is a few SVG elements, updated at most once a frame, however many calls arrive.
(() => {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const COLUMN = { client: 0, service: 1, peer: 2, broker: 2, database: 2 };
  const BOX_W = 140, BOX_H = 52, GAP_Y = 30, WIDTH = 720;
  const FLASH_MS = 1200;

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const svg = (tag, attrs) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  };
  const outcome = (c) => (c.fault ? 'bad' : c.status >= 500 ? 'bad' : c.status >= 400 ? 'warn' : 'ok');
  const short = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

  function View(root) {
    root.classList.add('wb-view');
    root.innerHTML = '';
    const head = el('div', 'wb-head');
    const title = el('div', 'wb-title', 'Waiting for the lesson…');
    const step = el('div', 'wb-step', '');
    const controls = el('div', 'wb-controls');
    head.append(title, step, controls);
    const stage = svg('svg', { class: 'wb-stage', role: 'img', 'aria-label': 'the services and the calls between them' });
    const arrowsLayer = svg('g', { class: 'wb-arrows' });
    const boxesLayer = svg('g', { class: 'wb-boxes' });
    const defs = svg('defs');
    for (const kind of ['ok', 'warn', 'bad', 'idle']) {
      const marker = svg('marker', { id: 'wb-head-' + kind, viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
      marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'wb-tip-' + kind }));
      defs.append(marker);
    }
    stage.append(defs, arrowsLayer, boxesLayer);
    const side = el('div', 'wb-side');
    const states = el('table', 'wb-states');
    const faults = el('div', 'wb-faults');
    const lines = el('ol', 'wb-lines');
    const calls = el('ol', 'wb-calls');
    const callsHead = el('div', 'wb-label', 'Calls');
    side.append(el('div', 'wb-label', 'State'), states, faults, el('div', 'wb-label', 'Narration'), lines, callsHead, calls);
    const body = el('div', 'wb-body');
    body.append(stage, side);
    root.append(head, body);

    let model, dirty = false;
    const reset = () => {
      model = { boxes: new Map(), pairs: new Map(), states: new Map(), lines: [], calls: [], total: 0, step: '', waiting: null, faults: [], ended: null, changed: true };
      boxesLayer.replaceChildren();
      arrowsLayer.replaceChildren();
      states.replaceChildren();
      dirty = true;
    };

    const box = (name, kind) => {
      let b = model.boxes.get(name);
      if (!b) {
        b = { name, kind: kind || (name === 'client' ? 'client' : 'peer'), state: '', fault: null, g: null };
        model.boxes.set(name, b);
        model.layout = true;
      } else if (kind && b.kind !== kind && kind !== 'peer') {
        b.kind = kind;
        model.layout = true;
      }
      return b;
    };

    const line = (text, cls) => {
      model.lines.push({ text, cls });
      if (model.lines.length > 14) model.lines.shift();
    };

    /** Applies one event to the model; the page is drawn from the model once a frame. */
    const apply = (e) => {
      switch (e.type) {
        case 'Lesson': model.title = 'Lesson ' + e.number + ' · ' + e.title; break;
        case 'Service': box(e.name, e.kind); break;
        case 'Step': model.step = 'Step ' + e.number + '. ' + e.title; model.lines = []; model.waiting = null; break;
        case 'Say': line(e.tell ? short(e.text.replace(/\s+/g, ' '), 240) : e.text, e.tell ? 'tell' : 'say'); break;
        case 'Check': line((e.held ? '✓ ' : '✗ ') + e.claim, e.held ? 'ok' : 'bad'); break;
        case 'State': {
          model.states.set(e.what, e.value);
          const b = model.boxes.get(e.what);
          if (b) b.state = e.value;
          break;
        }
        case 'Fault': {
          const b = box(e.target);
          b.fault = e.broken ? e.name : null;
          break;
        }
        case 'Faults': model.faults = e.names; break;
        case 'Exchange': {
          // a box not announced yet: who calls is a service (or the client); who the broker delivers to, too
          if (!model.boxes.has(e.from)) box(e.from, e.from === 'client' ? 'client' : 'service');
          if (!model.boxes.has(e.to)) box(e.to, e.from === 'broker' ? 'service' : 'peer');
          const key = e.from + '→' + e.to;
          let p = model.pairs.get(key);
          if (!p) { p = { from: e.from, to: e.to, count: 0, g: null }; model.pairs.set(key, p); model.layout = true; }
          p.count++;
          p.last = e;
          p.at = performance.now();
          model.total++;
          model.calls.push(e);
          if (model.calls.length > 8) model.calls.shift();
          break;
        }
        case 'Waiting': model.waiting = e.what; break;
        case 'End': model.ended = e; model.waiting = null; break;
        default: break;
      }
      if (e.type !== 'Exchange') model.changed = true;
      dirty = true;
    };

    const layout = () => {
      const columns = [[], [], []];
      for (const b of model.boxes.values()) columns[COLUMN[b.kind] ?? 2].push(b);
      const used = columns.filter((c) => c.length);
      const rows = Math.max(1, ...columns.map((c) => c.length));
      const height = rows * (BOX_H + GAP_Y) + GAP_Y;
      stage.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
      used.forEach((column, i) => {
        const x = used.length === 1 ? (WIDTH - BOX_W) / 2 : 10 + i * ((WIDTH - 20 - BOX_W) / (used.length - 1));
        const top = (height - column.length * (BOX_H + GAP_Y) + GAP_Y) / 2;
        column.forEach((b, j) => {
          b.x = x; b.y = top + j * (BOX_H + GAP_Y);
          if (!b.g) {
            b.g = svg('g', { class: 'wb-box kind-' + b.kind, 'data-name': b.name });
            b.rect = svg('rect', { width: BOX_W, height: BOX_H, rx: 8 });
            b.label = svg('text', { x: BOX_W / 2, y: 20, class: 'wb-name' });
            b.label.textContent = b.name;
            b.sub = svg('text', { x: BOX_W / 2, y: 40, class: 'wb-sub' });
            b.g.append(b.rect, b.label, b.sub);
            boxesLayer.append(b.g);
          }
          b.g.setAttribute('class', 'wb-box kind-' + b.kind);
          b.g.setAttribute('transform', `translate(${b.x},${b.y})`);
        });
      });
      let lane = 0;
      for (const p of model.pairs.values()) {
        const a = model.boxes.get(p.from), b = model.boxes.get(p.to);
        if (!p.g) {
          p.g = svg('g', { class: 'wb-arrow idle', 'data-from': p.from, 'data-to': p.to });
          p.line = svg('line', {});
          p.text = svg('text', { class: 'wb-call' });
          p.result = svg('text', { class: 'wb-call' });
          p.g.append(p.line, p.text, p.result);
          arrowsLayer.append(p.g);
        }
        const back = a.x > b.x;
        const x1 = back ? a.x : a.x + BOX_W, x2 = back ? b.x + BOX_W : b.x;
        const same = a.x === b.x;
        const y1 = a.y + BOX_H / 2 + (same ? 0 : 4 * ((lane % 3) - 1)), y2 = b.y + BOX_H / 2;
        if (same) {
          p.line.setAttribute('x1', a.x + BOX_W / 2); p.line.setAttribute('y1', a.y + (a.y < b.y ? BOX_H : 0));
          p.line.setAttribute('x2', b.x + BOX_W / 2); p.line.setAttribute('y2', b.y + (a.y < b.y ? 0 : BOX_H));
        } else {
          p.line.setAttribute('x1', x1); p.line.setAttribute('y1', y1); p.line.setAttribute('x2', x2); p.line.setAttribute('y2', y2);
        }
        p.text.setAttribute('x', (x1 + x2) / 2);
        p.text.setAttribute('y', (y1 + y2) / 2 - 6);
        p.result.setAttribute('x', (x1 + x2) / 2);
        p.result.setAttribute('y', (y1 + y2) / 2 + 14);
        lane++;
      }
      model.layout = false;
    };

    // a message through the broker has no status and no time of its own: SEND orders, DELIVER orders
    const result = (c) => (c.fault ? 'fault' : c.status ? `${c.status} · ${c.millis} ms` : 'ok');
    const label = (c) => `${c.method} ${short(c.path, 22)} ${result(c)}`;

    const draw = () => {
      if (model.layout) layout();
      const now = performance.now();
      for (const b of model.boxes.values()) {
        const sub = b.fault ? '⚡ ' + b.fault : b.state;
        b.sub.textContent = short(sub || b.kind, 24);
        b.g.classList.toggle('broken', !!b.fault);
      }
      for (const p of model.pairs.values()) {
        if (!p.last) continue;
        const fresh = now - p.at < FLASH_MS;
        const kind = fresh ? outcome(p.last) : 'idle';
        p.g.setAttribute('class', 'wb-arrow ' + kind + (fresh ? ' flash' : ''));
        p.g.dataset.count = p.count;
        p.line.setAttribute('marker-end', `url(#wb-head-${kind})`);
        p.text.textContent = `${p.last.method} ${short(p.last.path, 15)}`;
        p.result.textContent = result(p.last) + (p.count > 1 ? ` ×${p.count}` : '');
      }
      callsHead.textContent = `Calls (${model.total})`;
      calls.replaceChildren(...model.calls.slice().reverse().map((c) =>
        el('li', outcome(c), `${c.from} → ${c.to}  ${label(c)}`)));
      if (model.changed) text();
      // arrows fade on their own: draw again while one is fresh
      dirty = [...model.pairs.values()].some((p) => now - p.at < FLASH_MS);
    };

    /** The parts that change with the story, not with each call: the state, the narration, the controls. */
    const text = () => {
      model.changed = false;
      title.textContent = model.title || title.textContent;
      step.textContent = model.step || '';
      const rows = [];
      for (const [what, value] of model.states) {
        const tr = el('tr');
        tr.dataset.what = what;
        tr.append(el('th', '', what), el('td', '', value));
        rows.push(tr);
      }
      states.replaceChildren(...rows);
      lines.replaceChildren(...model.lines.map((l) => el('li', l.cls, l.text)));
      if (model.ended) step.textContent = (model.step ? model.step + ' · ' : '') + (model.ended.failed ? `${model.ended.failed} of ${model.ended.checks} checks did not hold` : `all ${model.ended.checks} checks held`);
      root.dataset.waiting = model.waiting || '';
      controls.dispatchEvent(new CustomEvent('wb-draw', { detail: model }));
    };

    const frame = () => {
      if (dirty) draw();
      requestAnimationFrame(frame);
    };
    reset();
    requestAnimationFrame(frame);
    root.wbApply = (batch) => batch.forEach(apply);   // what a batch from the lesson does; the browser test feeds it
    return { apply, reset, controls, faults, root, model: () => model, draw };
  }

  /** Live: the lesson's events by server-sent events; Next and the fault buttons post back to the lesson. */
  function live(root) {
    const view = View(root);
    const next = el('button', 'wb-next', 'Next');
    next.type = 'button';
    next.disabled = true;
    const status = el('span', 'wb-status', 'connecting…');
    view.controls.append(next, status);
    next.addEventListener('click', () => {   // one click, one step: the button stays off until the run waits again
      next.disabled = true;
      view.model().waiting = null;
      fetch('next', { method: 'POST' });
    });
    let offered = '';
    view.controls.addEventListener('wb-draw', (e) => {
      const m = e.detail;
      next.disabled = !m.waiting;
      next.textContent = m.waiting === 'stop' ? 'Stop' : m.waiting === 'end' ? 'End' : 'Next';
      if (m.ended) status.textContent = 'the lesson ended';
      if (m.faults.join('\n') !== offered) {
        offered = m.faults.join('\n');
        view.faults.replaceChildren(...m.faults.map((name) => {
          const b = el('button', 'wb-fault', name);
          b.type = 'button';
          b.addEventListener('click', () => fetch('fault?name=' + encodeURIComponent(name), { method: 'POST' }));
          return b;
        }));
      }
    });
    const source = new EventSource('events');
    source.onopen = () => { status.textContent = 'live'; };
    source.onerror = () => { status.textContent = view.model().ended ? 'the lesson ended' : 'the lesson is gone'; };
    source.onmessage = (m) => root.wbApply(JSON.parse(m.data));
  }

  /** Replay: the events recorded in the page, played with their own timing (long waits cut short), paused, or stepped. */
  function replay(root, events) {
    const view = View(root);
    const button = (text, cls) => { const b = el('button', cls, text); b.type = 'button'; view.controls.append(b); return b; };
    const play = button('Play', 'wb-play');
    const stepButton = button('Next step', 'wb-next');
    const restart = button('Restart', 'wb-restart');
    let i = 0, timer = null;
    const stop = () => { clearTimeout(timer); timer = null; play.textContent = 'Play'; };
    const at = (k) => Math.max(0, Math.min(700, events[k].t - events[k - 1].t));
    const tick = () => {
      if (i >= events.length) { stop(); return; }
      view.apply(events[i++]);
      while (i < events.length && events[i].t === events[i - 1].t) view.apply(events[i++]);
      timer = i < events.length ? setTimeout(tick, at(i)) : (stop(), null);
    };
    const start = () => {
      // the boxes and the title first, as a live view shows them before step 1
      view.reset();
      i = 0;
      while (i < events.length && events[i].type !== 'Step') view.apply(events[i++]);
    };
    play.addEventListener('click', () => { if (timer) stop(); else { if (i >= events.length) start(); play.textContent = 'Pause'; tick(); } });
    stepButton.addEventListener('click', () => {
      stop();
      if (i >= events.length) start();
      // the whole of the next step: up to the step after it
      do view.apply(events[i++]); while (i < events.length && events[i].type !== 'Step');
    });
    restart.addEventListener('click', () => { stop(); start(); });
    start();
  }

  const init = () => {
    for (const root of document.querySelectorAll('[data-view]')) {
      if (root.dataset.view === 'live') live(root);
      else {
        const data = root.querySelector('script[type="application/json"]');
        const events = data ? JSON.parse(data.textContent) : [];
        replay(root, events);
      }
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
