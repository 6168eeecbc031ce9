/* platform-kg viewer. Every string from the data reaches the DOM through textContent or as a text
 * node: never innerHTML, never an attribute the browser interprets (the only link, to Wikidata, is
 * built from an id checked against /^Q[0-9]+$/). vis-network tooltips get DOM elements, not strings. */
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('kg-data').textContent);
  var nodes = DATA.nodes, edges = DATA.edges, articles = DATA.articles;
  var MODALITY_TEXT = {
    asserted: 'asserted (fact)', planned: 'planned', forecast: 'forecast', reported: 'reported', negated: 'negated'
  };
  var MODALITY_BORDER = { asserted: 'solid', planned: 'dashed', forecast: 'dashed', reported: 'dotted', negated: 'dashed' };

  function $(id) { return document.getElementById(id); }
  function text(s) { return document.createTextNode(s == null ? '' : String(s)); }
  function el(tag, opts) {
    var e = document.createElement(tag);
    opts = opts || {};
    if (opts.cls) e.className = opts.cls;
    if (opts.text != null) e.textContent = String(opts.text);
    if (opts.type) e.type = opts.type;
    if (opts.title != null) e.title = String(opts.title);
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      e.appendChild(typeof c === 'string' ? text(c) : c);
    }
    return e;
  }
  function norm(s) { return String(s).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim(); }
  function fmtConf(c) { return c == null ? 'n/a' : Math.round(c * 100) + '%'; }

  var classInfo = {}; DATA.classes.forEach(function (c) { classInfo[c.name] = c; });
  var predInfo = {}; DATA.predicates.forEach(function (p) { predInfo[p.name] = p; });
  function predLabel(p) { return predInfo[p] ? predInfo[p].label : p; }

  // ------------------------------------------------------------------ indexes
  var adjacency = nodes.map(function () { return []; });
  edges.forEach(function (e) {
    adjacency[e.source].push(e.id);
    if (e.target !== e.source) adjacency[e.target].push(e.id);
  });
  var nodeDates = nodes.map(function (n) {
    return n.articles.map(function (i) { return articles[i].date; }).filter(Boolean);
  });
  var byRank = nodes.slice().sort(function (a, b) { return a.rank - b.rank; });
  var searchKeys = nodes.map(function (n) {
    return [{ key: norm(n.label), alias: null }].concat(n.aliases.map(function (a) {
      return { key: norm(a[0]), alias: a[0] };
    }));
  });

  // ------------------------------------------------------------------ state and filters
  var state = {
    classes: new Set(DATA.classes.map(function (c) { return c.name; })),
    predicates: new Set(DATA.predicates.map(function (p) { return p.name; })),
    modalities: new Set(edges.map(function (e) { return e.modality; })),
    from: DATA.date_min ? DATA.date_min.slice(0, 10) : '',
    to: DATA.date_max ? DATA.date_max.slice(0, 10) : '',
    focus: null,            // "Show neighbourhood": {id, depth, ball: Set}; the rest is hidden
    fade: null,             // a clicked node: {id, depth, ball: Set}; the rest is faded
    history: [],            // earlier {fade, open} for "Back"
    open: new Set(),        // communities drawn as their entities (big graphs start aggregated)
    aggregated: (DATA.clusters || []).length > 0,
    sizeBy: 'degree',
    colourBy: 'class'
  };
  var visibleNodes = new Set(), visibleEdges = new Set(), visibleClusters = new Set(), candidates = 0;
  function inCluster(n) { return state.aggregated && !state.open.has(n.community); }

  function datesActive() {
    return (DATA.date_min && state.from && state.from > DATA.date_min.slice(0, 10)) ||
           (DATA.date_max && state.to && state.to < DATA.date_max.slice(0, 10));
  }
  function inRange(dates) {
    if (!datesActive()) return true;
    for (var i = 0; i < dates.length; i++) {
      var d = dates[i].slice(0, 10);
      if ((!state.from || d >= state.from) && (!state.to || d <= state.to)) return true;
    }
    return false;
  }
  function ball(centre, depth) {
    var seen = new Set([centre]), frontier = [centre];
    for (var d = 0; d < depth; d++) {
      var next = [];
      frontier.forEach(function (v) {
        adjacency[v].forEach(function (eid) {
          var e = edges[eid], w = e.source === v ? e.target : e.source;
          if (!seen.has(w)) { seen.add(w); next.push(w); }
        });
      });
      frontier = next;
    }
    return seen;
  }
  function nodePasses(n) {
    return state.classes.has(n.cls) && inRange(nodeDates[n.id]) && (!state.focus || state.focus.ball.has(n.id));
  }
  function edgePasses(e) {
    return state.predicates.has(e.predicate) && state.modalities.has(e.modality) && inRange(e.dates) &&
           visibleNodes.has(e.source) && visibleNodes.has(e.target);
  }
  function computeVisible() {
    var cap = DATA.max_nodes == null ? Infinity : DATA.max_nodes;
    visibleNodes = new Set(); candidates = 0;
    if (state.focus) visibleNodes.add(state.focus.id);
    visibleClusters = new Set();
    byRank.forEach(function (n) {
      if (!nodePasses(n)) return;
      if (inCluster(n) && !(state.focus && state.focus.ball.has(n.id))) { visibleClusters.add(n.community); return; }
      candidates++;
      if (visibleNodes.size < cap) visibleNodes.add(n.id);
    });
    visibleEdges = new Set();
    edges.forEach(function (e) { if (edgePasses(e)) visibleEdges.add(e.id); });
  }

  // ------------------------------------------------------------------ vis data
  // Positions come from the page data (kg.viz.structure): physics is off and nothing moves unless the
  // reader presses "Relax". Labels are drawn by this script (drawLabels), not by vis-network, so that
  // a node is hit only where its shape is drawn and labels can be culled by importance and zoom.
  var FADED = 'rgba(200,200,200,0.25)', FADED_BORDER = 'rgba(160,160,160,0.25)';
  var commColour = {}; (DATA.communities || []).forEach(function (c) { commColour[c.id] = c.color; });
  var maxOf = { degree: 0, pagerank: 0, mentions: 0 };
  nodes.forEach(function (n) { for (var k in maxOf) if (n[k] > maxOf[k]) maxOf[k] = n[k]; });
  function nodeRadius(n) {          // the same formula as kg.viz.structure.radius
    var top = maxOf[state.sizeBy], v = n[state.sizeBy];
    return top > 0 ? 8 + 28 * Math.sqrt(Math.max(v, 0) / top) : 8;
  }
  function nodeColour(n) {
    if (state.colourBy === 'community') return n.community >= 0 && commColour[n.community] ? commColour[n.community] : '#c7c7c7';
    return (classInfo[n.cls] || { color: '#999' }).color;
  }
  function faded(id) { return !!state.fade && !state.fade.ball.has(id); }
  function tooltipNode(n) {
    var info = classInfo[n.cls];
    return el('div', {}, el('strong', { text: n.label }),
      '\n' + (info ? info.label : n.cls) + ' · ' + n.degree + ' links · ' + n.mentions + ' articles');
  }
  function tooltipEdge(e) {
    return el('div', {}, el('strong', { text: nodes[e.source].label + ' — ' + predLabel(e.predicate) + ' — ' + nodes[e.target].label }),
      '\n' + MODALITY_TEXT[e.modality] + ' · ' + e.statements.length + ' statement(s) · confidence ' + fmtConf(e.confidence));
  }
  function edgeLabel(e) { return predLabel(e.predicate) + (e.modality === 'asserted' ? '' : ' (' + e.modality + ')'); }
  var clusters = DATA.clusters || [], clusterById = {};
  clusters.forEach(function (c) { clusterById[c.id] = c; });
  function focusEdge(e) { return !!state.fade && (e.source === state.fade.id || e.target === state.fade.id); }
  function edgeFaded(e) {
    return !!state.fade && !focusEdge(e) && !(state.fade.ball.has(e.source) && state.fade.ball.has(e.target));
  }
  var container = $('kg-network');
  var ready = false;
  function markReady() {
    if (ready) return;
    ready = true;
    window.kgReady = true;
    window.kgRenderMs = performance.now();
    document.body.setAttribute('data-kg-ready', '1');
  }

  // ------------------------------------------------------------------ renderers
  // Two drawing back ends behind one small interface, chosen by the page data (kg.viz.page):
  // vis-network on a 2D canvas (class shapes, dashed modalities, curved parallel edges, tooltips), and
  // sigma.js on WebGL for big graphs, where a canvas cannot redraw 100,000 edges interactively.
  // Everything else (filters, labels, panel, search, focus/expand/back) is shared.
  //   fit(ids|null, maxScale, animate)  scale() px per layout unit  toScreen(x, y)  refresh()
  //   restyle()  select(id)  unselect()  centreOn(id, scale, animate)  drawn() -> {nodes, edges, clusters}
  //   edgeLabels() -> [[from, to]]  onClick(fn({node, edge}))  onDraw(fn(ctx))  relax()|null
  function visRenderer() {
    function nodeItem(n) {
      var info = classInfo[n.cls] || { shape: 'dot' }, c = nodeColour(n), f = faded(n.id);
      return {
        id: n.id, shape: info.shape, size: nodeRadius(n), x: n.x, y: n.y,
        color: { background: f ? FADED : c, border: f ? FADED_BORDER : '#555',
                 highlight: { background: c, border: '#000' }, hover: { background: c, border: '#000' } }
      };
    }
    function edgeItem(e) {
      var item = Object.assign({}, e.style);
      item.id = e.id; item.from = e.source; item.to = e.target;
      if (edgeFaded(e)) item.color = Object.assign({}, e.style.color, { opacity: 0.06 });
      // labels only where they can be read: on the focused node's own edges
      item.label = focusEdge(e) ? edgeLabel(e) : '';
      return item;
    }
    var nodeItems = nodes.map(function (n) { var it = nodeItem(n); it.title = tooltipNode(n); return it; });
    var edgeItems = edges.map(function (e) { var it = edgeItem(e); it.title = tooltipEdge(e); return it; });
    // community nodes for the first view of a big graph (ids 'c<community>', edges 'k<index>')
    clusters.forEach(function (c) {
      nodeItems.push({ id: 'c' + c.id, shape: 'dot', size: c.radius, x: c.x, y: c.y, borderWidth: 2,
        color: { background: c.color, border: '#333', highlight: { background: c.color, border: '#000' } },
        title: el('div', {}, el('strong', { text: c.label }), '\n' + fmtInt(c.size) + ' entities · click to open') });
    });
    (DATA.cluster_edges || []).forEach(function (ce, i) {
      edgeItems.push({ id: 'k' + i, from: 'c' + ce.a, to: 'c' + ce.b, width: Math.min(12, 1 + Math.log2(ce.count)),
        color: { color: '#888', opacity: 0.45 }, smooth: false, title: fmtInt(ce.count) + ' relations' });
    });
    var nodesDS = new vis.DataSet(nodeItems), edgesDS = new vis.DataSet(edgeItems);
    computeVisible();
    var nodesView = new vis.DataView(nodesDS, { filter: function (n) {
      return typeof n.id === 'string' ? visibleClusters.has(Number(n.id.slice(1))) : visibleNodes.has(n.id);
    } });
    var edgesView = new vis.DataView(edgesDS, { filter: function (e) {
      if (typeof e.id === 'string') {
        var ce = DATA.cluster_edges[Number(e.id.slice(1))];
        return visibleClusters.has(ce.a) && visibleClusters.has(ce.b);
      }
      return visibleEdges.has(e.id);
    } });
    var BIG = nodes.length > 2000;
    var options = {
      autoResize: true,
      nodes: { borderWidth: 1, font: { size: 0 } },
      edges: {
        font: { size: 13, color: '#333', strokeWidth: 4, strokeColor: '#ffffff', align: 'middle' },
        smooth: false, selectionWidth: 2
      },
      interaction: {
        hover: !BIG, tooltipDelay: 250, hideEdgesOnDrag: BIG, hideEdgesOnZoom: BIG,
        multiselect: false, navigationButtons: false, keyboard: false
      },
      layout: { improvedLayout: false, randomSeed: 7 },
      physics: false
    };
    var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
    network.once('afterDrawing', markReady);
    function numeric(ids) { return ids.filter(function (i) { return typeof i === 'number'; }); }
    return {
      name: 'canvas', raw: network,
      fit: function (ids, maxScale, animate) {
        var o = { animation: animate ? { duration: 300 } : false };
        if (ids) o.nodes = ids;
        if (maxScale) o.maxZoomLevel = maxScale;
        network.fit(o);
      },
      scale: function () { return network.getScale(); },
      toScreen: function (x, y) { return network.canvasToDOM({ x: x, y: y }); },
      refresh: function () { nodesView.refresh(); edgesView.refresh(); },
      restyle: function () {
        nodesDS.update(nodes.map(nodeItem));
        edgesDS.update(edges.map(edgeItem));
      },
      where: function (id) { return network.getPositions([id])[id] || null; },
      select: function (id) { network.selectNodes([id]); },
      unselect: function () { network.unselectAll(); },
      centreOn: function (id, scale, animate) {
        var p = typeof id === 'string' ? clusterById[Number(id.slice(1))] : nodes[id];
        network.moveTo({ position: { x: p.x, y: p.y }, scale: scale, animation: animate ? { duration: 300 } : false });
      },
      drawn: function () {
        var ids = network.body.nodeIndices;
        return { nodes: numeric(ids), edges: numeric(network.body.edgeIndices).length,
                 clusters: ids.length - numeric(ids).length };
      },
      edgeLabels: function () {
        return edgesDS.get().filter(function (e) { return e.label && typeof e.id === 'number' && visibleEdges.has(e.id); })
          .map(function (e) { return [e.from, e.to]; });
      },
      onClick: function (fn) {
        network.on('click', function (p) {
          fn({ node: p.nodes.length ? p.nodes[0] : null,
               edge: p.edges.length && typeof p.edges[0] === 'number' ? p.edges[0] : null });
        });
      },
      onDraw: function (fn) { network.on('afterDrawing', fn); },
      relax: function () {
        // a few seconds of vis-network's ForceAtlas2 from the precomputed positions, then still again
        network.setOptions({ physics: { enabled: true, solver: 'forceAtlas2Based', stabilization: false,
          forceAtlas2Based: { gravitationalConstant: -40, springLength: 90, avoidOverlap: 0.5 } } });
        setTimeout(function () { network.setOptions({ physics: false }); }, 3000);
      }
    };
  }

  function webglRenderer() {
    // sigma draws every item of its graph, hidden ones too (as empty shapes), so its graph holds only
    // what is visible and is rebuilt when that changes (filters, communities opened); fading and
    // colours go through the reducers. graphology keys are strings: entities by their index,
    // communities 'c<id>', community links 'k<i>'. Layout y grows downwards (as on a canvas), sigma's
    // graph y upwards, hence -y.
    function visibleGraph() {
      var g = new graphology.MultiDirectedGraph();
      visibleNodes.forEach(function (id) { var n = nodes[id]; g.addNode(String(id), { x: n.x, y: -n.y, size: 8 }); });
      visibleEdges.forEach(function (id) { var e = edges[id]; g.addEdgeWithKey(String(id), String(e.source), String(e.target)); });
      clusters.forEach(function (c) {
        if (visibleClusters.has(c.id)) g.addNode('c' + c.id, { x: c.x, y: -c.y, size: c.radius });
      });
      (DATA.cluster_edges || []).forEach(function (ce, i) {
        if (visibleClusters.has(ce.a) && visibleClusters.has(ce.b)) g.addEdgeWithKey('k' + i, 'c' + ce.a, 'c' + ce.b);
      });
      return g;
    }
    var selected = null;
    // sizes are in layout units, like positions; zoomed far out (30,000 entities fitted on a screen) a
    // disc would be a fraction of a pixel, so none is drawn smaller than MIN_PX: the floor (in layout
    // units) follows the zoom once the camera rests
    var MIN_PX = 2, floor = 0;
    function rgba(hex, alpha) {
      var h = /^#([0-9a-f]{6})$/i.exec(hex);
      if (!h) return hex;
      var v = parseInt(h[1], 16);
      return 'rgba(' + (v >> 16) + ',' + ((v >> 8) & 255) + ',' + (v & 255) + ',' + alpha + ')';
    }
    function nodeReducer(key, attrs) {
      if (key.charAt(0) === 'c') {
        var c = clusterById[Number(key.slice(1))];
        return { x: attrs.x, y: attrs.y, size: c.radius, color: c.color, hidden: !visibleClusters.has(c.id), zIndex: 1 };
      }
      var n = nodes[Number(key)];
      if (!visibleNodes.has(n.id)) return { x: attrs.x, y: attrs.y, size: 1, hidden: true };
      var f = faded(n.id);
      return { x: attrs.x, y: attrs.y, size: Math.max(nodeRadius(n), floor), color: f ? FADED : nodeColour(n),
               highlighted: selected === n.id, zIndex: f ? 0 : 1, label: n.label };
    }
    function edgeReducer(key) {
      if (key.charAt(0) === 'k') {     // thin: sigma 3.0.3 drew wide lines here almost transparent
        var ce = DATA.cluster_edges[Number(key.slice(1))];
        return { hidden: !(visibleClusters.has(ce.a) && visibleClusters.has(ce.b)), type: 'line',
                 size: 1, color: 'rgba(110,110,110,0.6)' };
      }
      var e = edges[Number(key)];
      if (!visibleEdges.has(e.id)) return { hidden: true };
      var st = e.style, labelled = focusEdge(e);
      // an arrow head is a second shape per edge: drawn for all edges up to 20,000, above only on the
      // focused node's edges (at that density heads are not readable at the overview anyway)
      return { type: e.directed && (labelled || edges.length <= 20000) ? 'arrow' : 'line', size: st.width || 1,
               color: rgba(st.color.color, edgeFaded(e) ? 0.06 : st.color.opacity),
               label: labelled ? edgeLabel(e) : null, forceLabel: labelled, zIndex: labelled ? 1 : 0 };
    }
    computeVisible();
    var graph = visibleGraph();
    // the camera frames this box (every entity and community), whatever is visible: sigma's
    // normalisation would otherwise follow the visible items and the view would jump on each change
    var box = { x: [Infinity, -Infinity], y: [Infinity, -Infinity] };
    nodes.concat(clusters).forEach(function (p) {
      box.x[0] = Math.min(box.x[0], p.x); box.x[1] = Math.max(box.x[1], p.x);
      box.y[0] = Math.min(box.y[0], -p.y); box.y[1] = Math.max(box.y[1], -p.y);
    });
    var s = new Sigma(graph, container, {
      // edge picking draws every edge a second time (into sigma's picking buffer); without a GPU that
      // doubles the frame time, so above 20,000 edges a click picks nodes only (the node's panel lists
      // its edges' statements)
      renderLabels: false, renderEdgeLabels: true, enableEdgeEvents: edges.length <= 20000, zIndex: true,
      itemSizesReference: 'positions', zoomToSizeRatioFunction: function (r) { return r; },
      edgeLabelSize: 13, edgeLabelFont: 'system-ui, "Noto Sans", "DejaVu Sans", sans-serif',
      edgeLabelColor: { color: '#333' }, labelFont: 'system-ui, "Noto Sans", "Noto Sans CJK SC", sans-serif',
      defaultEdgeType: 'line', minEdgeThickness: 1, stagePadding: 30, hideEdgesOnMove: nodes.length > 20000,
      nodeReducer: nodeReducer, edgeReducer: edgeReducer
    });
    var camera = s.getCamera();
    if (isFinite(box.x[0])) { s.setCustomBBox(box); s.refresh(); }
    var floorTimer = null;
    function updateFloor() {
      var want = MIN_PX / s.getGraphToViewportRatio();
      if (Math.abs(want - floor) <= 0.2 * want) return;
      floor = want;
      s.refresh();
    }
    updateFloor();
    camera.on('updated', function () {
      clearTimeout(floorTimer);
      floorTimer = setTimeout(updateFloor, 150);
    });
    function toScreen(x, y) { return s.graphToViewport({ x: x, y: -y }); }
    function moveTo(x, y, scale, animate) {
      // Camera states are in sigma's framed coordinates and the ratio is inversely proportional to the
      // scale. sigma's conversions use the matrix of its last frame unless given the camera state, and
      // an animation may have moved the camera since. The side panel may just have narrowed the
      // container (sigma would learn that on its next frame): take the new size first.
      if (!animate && camera.nextFrame) {     // a running animation would carry the camera away again
        cancelAnimationFrame(camera.nextFrame);
        camera.nextFrame = null;
      }
      var dims = s.getDimensions();
      if (dims.width !== container.clientWidth || dims.height !== container.clientHeight) s.resize();
      var st = camera.getState(), now = { cameraState: st };
      var p0 = s.graphToViewport({ x: 0, y: 0 }, now), p1 = s.graphToViewport({ x: 1, y: 0 }, now);
      var cur = Math.abs(p1.x - p0.x) + Math.abs(p1.y - p0.y);      // px per layout unit now
      var c = s.viewportToFramedGraph(s.graphToViewport({ x: x, y: -y }, now), now);
      var target = { x: c.x, y: c.y, angle: 0, ratio: st.ratio * cur / scale };
      if (animate) { camera.animate(target, { duration: 300 }); return; }
      camera.setState(target);
      s.render();                    // drawn (and pickable) before anything else happens
    }
    var clickFn = null;
    s.on('clickNode', function (ev) {
      var key = ev.node;
      if (clickFn) clickFn({ node: key.charAt(0) === 'c' ? key : Number(key), edge: null });
    });
    s.on('clickEdge', function (ev) {
      if (clickFn && ev.edge.charAt(0) !== 'k') clickFn({ node: null, edge: Number(ev.edge) });
    });
    s.on('clickStage', function () { if (clickFn) clickFn({ node: null, edge: null }); });
    return {
      name: 'webgl', raw: s,
      fit: function (ids, maxScale, animate) {
        var pts = ids ? ids.map(function (id) { return nodes[id]; })
                      : nodes.filter(function (n) { return visibleNodes.has(n.id); })
                          .concat(clusters.filter(function (c) { return visibleClusters.has(c.id); }));
        if (!pts.length) pts = nodes.concat(clusters);
        if (!pts.length) return;
        var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        pts.forEach(function (p) {
          var r = p.radius || nodeRadius(p);
          x0 = Math.min(x0, p.x - r); x1 = Math.max(x1, p.x + r); y0 = Math.min(y0, p.y - r); y1 = Math.max(y1, p.y + r);
        });
        var W = container.clientWidth, H = container.clientHeight, pad = 30;
        var scale = Math.min((W - 2 * pad) / Math.max(x1 - x0, 1), (H - 2 * pad) / Math.max(y1 - y0, 1));
        if (maxScale) scale = Math.min(scale, maxScale);
        moveTo((x0 + x1) / 2, (y0 + y1) / 2, scale, animate);
      },
      scale: function () { return s.getGraphToViewportRatio(); },
      toScreen: toScreen,
      refresh: function () { graph = visibleGraph(); s.setGraph(graph); },
      restyle: function () { s.refresh(); },
      where: function (id) {
        var p = typeof id === 'string' ? clusterById[Number(id.slice(1))] : nodes[id];
        return p ? { x: p.x, y: p.y } : null;
      },
      select: function (id) { selected = id; s.refresh(); },
      unselect: function () { selected = null; s.refresh(); },
      centreOn: function (id, scale, animate) {
        var p = typeof id === 'string' ? clusterById[Number(id.slice(1))] : nodes[id];
        moveTo(p.x, p.y, scale, animate);
      },
      drawn: function () {
        var out = { nodes: [], edges: 0, clusters: 0 };
        graph.forEachNode(function (key) {
          var d = s.getNodeDisplayData(key);
          if (!d || d.hidden) return;
          if (key.charAt(0) === 'c') out.clusters++; else out.nodes.push(Number(key));
        });
        graph.forEachEdge(function (key) {
          var d = s.getEdgeDisplayData(key);
          if (d && !d.hidden && key.charAt(0) !== 'k') out.edges++;
        });
        return out;
      },
      edgeLabels: function () {
        var out = [];
        graph.forEachEdge(function (key, _, source, target) {
          var d = s.getEdgeDisplayData(key);
          if (d && !d.hidden && d.label) out.push([Number(source), Number(target)]);
        });
        return out;
      },
      onClick: function (fn) { clickFn = fn; },
      onDraw: function (fn) {
        // our labels go on sigma's label layer (cleared by every render; renderLabels is off)
        s.on('afterRender', function () { fn(s.getCanvases().labels.getContext('2d')); markReady(); });
        s.render();
      },
      relax: null
    };
  }

  var R = DATA.renderer === 'webgl' ? webglRenderer() : visRenderer();
  R.fit(null, null, false);
  var fitScale = R.scale();

  // ------------------------------------------------------------------ labels
  // The most important names first (community nodes by size, then the focused neighbourhood, then
  // entities by PageRank), 30 at the overview and more as you zoom in; a label is drawn only if its
  // box overlaps no label already drawn. The boxes are kept for the tests (kgViewer.labelBoxes).
  var byImportance = nodes.slice().sort(function (a, b) { return b.pagerank - a.pagerank || a.rank - b.rank; });
  var clustersBySize = clusters.slice().sort(function (a, b) { return b.size - a.size; });
  var labelBoxes = [];
  var FONT = 'system-ui, "Noto Sans", "Noto Sans CJK SC", "DejaVu Sans", sans-serif';
  function drawLabels(ctx) {
    var scale = R.scale();
    var W = container.clientWidth, H = container.clientHeight;
    var budget = Math.round(30 * Math.max(1, Math.pow(scale / fitScale, 2)));
    var cells = {}, CELL = 64, boxes = [];
    function free(b) {
      for (var gx = Math.floor(b.x / CELL); gx <= Math.floor((b.x + b.w) / CELL); gx++) {
        for (var gy = Math.floor(b.y / CELL); gy <= Math.floor((b.y + b.h) / CELL); gy++) {
          var list = cells[gx + ',' + gy];
          if (!list) continue;
          for (var i = 0; i < list.length; i++) {
            var o = list[i];
            if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) return false;
          }
        }
      }
      return true;
    }
    function take(b) {
      boxes.push(b);
      for (var gx = Math.floor(b.x / CELL); gx <= Math.floor((b.x + b.w) / CELL); gx++) {
        for (var gy = Math.floor(b.y / CELL); gy <= Math.floor((b.y + b.h) / CELL); gy++) {
          (cells[gx + ',' + gy] = cells[gx + ',' + gy] || []).push(b);
        }
      }
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    var ratio = ctx.canvas.width / Math.max(W, 1);
    ctx.scale(ratio, ratio);
    ctx.textBaseline = 'top';
    ctx.lineJoin = 'round';
    function tryLabel(id, text, x, y, r, size, bold) {
      var at = R.toScreen(x, y), sx = at.x, sy = at.y;
      if (sx < -200 || sx > W + 200 || sy < -50 || sy > H + 50) return false;
      ctx.font = (bold ? '600 ' : '') + size + 'px ' + FONT;
      var w = ctx.measureText(text).width + 4, h = size + 3;
      var b = { id: id, label: text, x: sx - w / 2, y: sy + r * scale + 2, w: w, h: h };
      if (!free(b)) return false;
      take(b);
      ctx.lineWidth = 3; ctx.strokeStyle = 'rgba(255,255,255,0.9)'; ctx.fillStyle = '#222';
      ctx.strokeText(text, b.x + 2, b.y + 1);
      ctx.fillText(text, b.x + 2, b.y + 1);
      return true;
    }
    var shown = 0;
    clustersBySize.forEach(function (c) {
      if (visibleClusters.has(c.id) && tryLabel('c' + c.id, c.label, c.x, c.y, c.radius, 13, true)) shown++;
    });
    if (state.fade) {
      var f = nodes[state.fade.id];
      if (visibleNodes.has(f.id)) tryLabel(f.id, f.label, f.x, f.y, nodeRadius(f), 14, true);
      byImportance.forEach(function (n) {
        if (n.id !== f.id && state.fade.ball.has(n.id) && visibleNodes.has(n.id) &&
            tryLabel(n.id, n.label, n.x, n.y, nodeRadius(n), 12, false)) shown++;
      });
    }
    for (var i = 0; i < byImportance.length && shown < budget; i++) {
      var n = byImportance[i];
      if (!visibleNodes.has(n.id) || faded(n.id)) continue;
      if (tryLabel(n.id, n.label, n.x, n.y, nodeRadius(n), i < 10 ? 14 : 12, i < 10)) shown++;
    }
    ctx.restore();
    labelBoxes = boxes;
  }
  R.onDraw(drawLabels);

  // ------------------------------------------------------------------ legend and filters
  function legendItem(set, name, swatch, label, count, list) {
    var box = el('input', { type: 'checkbox' });
    box.checked = set.has(name);
    box.setAttribute('data-name', name);
    box.addEventListener('change', function () {
      if (box.checked) set.add(name); else set.delete(name);
      apply();
    });
    list.appendChild(el('li', {}, el('label', {}, box, swatch, el('span', { text: label }),
      el('span', { cls: 'kg-count', text: count }))));
  }
  DATA.classes.forEach(function (c) {
    var g = el('span', { cls: 'kg-glyph', text: c.glyph }); g.style.color = c.color;
    legendItem(state.classes, c.name, g, c.label, c.count, $('kg-classes'));
  });
  DATA.predicates.forEach(function (p) {
    var line = el('span', { cls: 'kg-line' }); line.style.borderTopColor = p.color;
    legendItem(state.predicates, p.name, line, p.label + (p.symmetric ? ' ↔' : ' →'), p.count, $('kg-predicates'));
  });
  var modalCounts = {};
  edges.forEach(function (e) { modalCounts[e.modality] = (modalCounts[e.modality] || 0) + 1; });
  ['asserted', 'planned', 'forecast', 'reported', 'negated'].forEach(function (m) {
    if (!modalCounts[m]) return;
    var line = el('span', { cls: 'kg-line' });
    line.style.borderTopStyle = MODALITY_BORDER[m];
    line.style.borderTopColor = m === 'negated' ? '#888' : '#444';
    legendItem(state.modalities, m, line, MODALITY_TEXT[m], modalCounts[m], $('kg-modalities'));
  });
  document.querySelectorAll('[data-all]').forEach(function (b) {
    b.addEventListener('click', function () {
      var which = b.getAttribute('data-all'), set = state[which];
      var all = which === 'classes' ? DATA.classes : DATA.predicates;
      var everything = set.size === all.length;
      all.forEach(function (x) { if (everything) set.delete(x.name); else set.add(x.name); });
      document.querySelectorAll('#kg-' + which + ' input').forEach(function (box) {
        box.checked = set.has(box.getAttribute('data-name'));
      });
      apply();
    });
  });
  var dFrom = $('kg-date-from'), dTo = $('kg-date-to');
  [dFrom, dTo].forEach(function (inp) {
    if (DATA.date_min) inp.min = DATA.date_min.slice(0, 10);
    if (DATA.date_max) inp.max = DATA.date_max.slice(0, 10);
  });
  dFrom.value = state.from; dTo.value = state.to;
  if (!DATA.date_min) { dFrom.disabled = true; dTo.disabled = true; }
  dFrom.addEventListener('change', function () { state.from = dFrom.value; apply(); });
  dTo.addEventListener('change', function () { state.to = dTo.value; apply(); });
  $('kg-date-reset').addEventListener('click', function () {
    state.from = dFrom.value = DATA.date_min ? DATA.date_min.slice(0, 10) : '';
    state.to = dTo.value = DATA.date_max ? DATA.date_max.slice(0, 10) : '';
    apply();
  });
  $('kg-size').addEventListener('change', function (ev) { state.sizeBy = ev.target.value; R.restyle(); });
  $('kg-colour').addEventListener('change', function (ev) { state.colourBy = ev.target.value; R.restyle(); });
  $('kg-fit').addEventListener('click', function () { R.fit(null, null, true); });
  if (R.relax) $('kg-relax').addEventListener('click', R.relax);
  else $('kg-relax').hidden = true;
  var allClusters = $('kg-all-clusters');
  allClusters.hidden = !clusters.length;
  allClusters.addEventListener('click', function () {
    remember();
    state.open = new Set();
    state.aggregated = !state.aggregated;
    allClusters.textContent = state.aggregated ? 'Show every entity' : 'Group by community';
    apply();
  });

  // focus (click a node: its neighbours stay, the rest fades), expand by one hop, back
  function remember() {
    state.history.push({ fade: state.fade && { id: state.fade.id, depth: state.fade.depth },
                         open: Array.from(state.open), aggregated: state.aggregated });
    updateNav();
  }
  function setFade(f) {
    state.fade = f ? { id: f.id, depth: f.depth, ball: ball(f.id, f.depth) } : null;
    R.restyle();
    updateNav();
  }
  function fadeOn(id, depth) {
    remember();
    setFade(id == null ? null : { id: id, depth: depth });
    if (id != null) fitBall();
  }
  function fitBall() {
    // close enough that the focused node's edge labels are readable, never closer than 1.5x
    var ids = Array.from(state.fade.ball).filter(function (v) { return visibleNodes.has(v); });
    if (ids.length) R.fit(ids, 1.5, true);
  }
  function updateNav() {
    $('kg-back').disabled = state.history.length === 0;
    $('kg-expand').disabled = !state.fade;
    $('kg-focus-info').textContent = state.fade ? nodes[state.fade.id].label + ' + ' + state.fade.depth +
      ' hop' + (state.fade.depth === 1 ? '' : 's') + ' (' + fmtInt(state.fade.ball.size) + ' entities)' : '';
  }
  $('kg-expand').addEventListener('click', function () {
    if (!state.fade) return;
    fadeOn(state.fade.id, state.fade.depth + 1);
    if (state.aggregated) {       // the new neighbours may sit in closed communities
      state.fade.ball.forEach(function (v) { state.open.add(nodes[v].community); });
      apply();
      fitBall();
    }
  });
  $('kg-back').addEventListener('click', function () {
    var prev = state.history.pop();
    if (!prev) return;
    state.open = new Set(prev.open);
    state.aggregated = prev.aggregated;
    allClusters.textContent = state.aggregated ? 'Show every entity' : 'Group by community';
    setFade(prev.fade);
    apply();
  });
  function openCluster(c) {
    remember();
    state.open.add(c);
    apply();
    var ids = nodes.filter(function (n) { return n.community === c && visibleNodes.has(n.id); })
                   .map(function (n) { return n.id; });
    if (ids.length) R.fit(ids, null, true);
  }

  // ------------------------------------------------------------------ banner and counts
  function fmtInt(n) { return Number(n).toLocaleString('en-US'); }
  function updateBanner() {
    var banner = $('kg-banner');
    banner.textContent = '';
    var parts = [];
    if (DATA.focus) {
      parts.push(el('span', { text: 'Focused on ' + DATA.focus.label + ' within ' + DATA.focus.depth +
        ' link(s): ' + fmtInt(nodes.length) + ' of the graph\'s ' + fmtInt(DATA.total_entities) +
        ' entities are in this page. Run kg viz without --focus to see them all.' }));
    }
    if (state.focus) {
      var b = el('button', { type: 'button', text: 'Show all' });
      b.addEventListener('click', function () { state.focus = null; apply(); });
      parts.push(el('span', { text: ' Neighbourhood of ' + nodes[state.focus.id].label + ' (' + state.focus.depth +
        ' link' + (state.focus.depth === 1 ? '' : 's') + ').' }), b);
    }
    var left = candidates - visibleNodes.size;
    if (left > 0) {
      parts.push(el('span', { text: ' Showing the ' + fmtInt(visibleNodes.size) + ' most connected of ' +
        fmtInt(candidates) + ' entities: ' + fmtInt(left) + ' less connected ones are left out (--max-nodes ' +
        DATA.max_nodes + '). To see them, search for one, open an entity\'s neighbourhood, or narrow the ' +
        'entity, relation and date filters.' }));
    }
    parts.forEach(function (p) { banner.appendChild(p); });
    banner.hidden = parts.length === 0;
    banner.setAttribute('data-left-out', String(Math.max(left, 0)));
  }
  function updateCounts() {
    var inGroups = 0;
    clusters.forEach(function (c) { if (visibleClusters.has(c.id)) inGroups += c.size; });
    $('kg-counts').textContent = fmtInt(visibleNodes.size) + ' entities · ' + fmtInt(visibleEdges.size) + ' relations shown' +
      (visibleClusters.size ? ' · ' + fmtInt(visibleClusters.size) + ' communities (' + fmtInt(inGroups) + ' entities) grouped' : '');
  }
  function apply() {
    computeVisible();
    R.refresh();
    updateBanner();
    updateCounts();
  }
  updateBanner(); updateCounts(); updateNav();

  // ------------------------------------------------------------------ side panel
  var panel = $('kg-panel'), body = $('kg-panel-body');
  $('kg-panel-close').addEventListener('click', function () { panel.hidden = true; R.unselect(); });
  function entButton(id) {
    var b = el('button', { cls: 'kg-ent', type: 'button', text: nodes[id].label });
    b.addEventListener('click', function () { selectNode(id); });
    return b;
  }
  function badge(modality) {
    return el('span', { cls: 'kg-badge kg-' + modality, text: MODALITY_TEXT[modality] || modality });
  }
  function sourceLine(artIndex) {
    if (artIndex == null) return el('div', { cls: 'kg-source kg-muted', text: 'source article not recorded' });
    var a = articles[artIndex];
    var line = el('div', { cls: 'kg-source' }, el('span', { cls: 'kg-art-title', text: a.title || '(untitled article)' }));
    var meta = [a.publisher, a.date].filter(Boolean).join(', ');
    if (meta) line.appendChild(text(' — ' + meta));
    return line;
  }
  function statementCard(st, current) {
    var card = el('div', { cls: 'kg-card' + (st.modality === 'asserted' ? '' : ' kg-nonasserted') });
    var fact = el('div', { cls: 'kg-fact' });
    [st.subject, st.object].forEach(function (id, i) {
      fact.appendChild(id === current ? el('span', { text: nodes[id].label }) : entButton(id));
      if (i === 0) fact.appendChild(text(' ' + predLabel(st.predicate) + ' '));
    });
    fact.appendChild(badge(st.modality));
    card.appendChild(fact);
    var dl = el('dl', { cls: 'kg-quals' });
    st.qualifiers.forEach(function (q) { dl.appendChild(el('dt', { text: q[0] })); dl.appendChild(el('dd', { text: q[1] })); });
    dl.appendChild(el('dt', { text: 'confidence' })); dl.appendChild(el('dd', { text: fmtConf(st.confidence) }));
    if (st.extracted_by) { dl.appendChild(el('dt', { text: 'rule' })); dl.appendChild(el('dd', { text: st.extracted_by })); }
    card.appendChild(dl);
    if (st.evidence) card.appendChild(el('blockquote', { cls: 'kg-evidence', text: st.evidence }));
    card.appendChild(sourceLine(st.article));
    return card;
  }
  function edgeSection(e, current, container) {
    if (e.statements.length === 0) {
      var card = el('div', { cls: 'kg-card' });
      var fact = el('div', { cls: 'kg-fact' });
      [e.source, e.target].forEach(function (id, i) {
        fact.appendChild(id === current ? el('span', { text: nodes[id].label }) : entButton(id));
        if (i === 0) fact.appendChild(text(' ' + predLabel(e.predicate) + ' '));
      });
      card.appendChild(fact);
      card.appendChild(el('div', { cls: 'kg-muted', text: 'In the graph as a direct triple; no statement node records its evidence.' }));
      container.appendChild(card);
      return;
    }
    e.statements.forEach(function (st) { container.appendChild(statementCard(st, current)); });
  }
  function wikidataLink(qid) {
    if (!/^Q[0-9]+$/.test(qid)) return null;
    var a = el('a', { text: qid + ' on Wikidata' });
    a.href = 'https://www.wikidata.org/wiki/' + qid;
    a.target = '_blank'; a.rel = 'noopener noreferrer';
    return a;
  }
  function openPanel(kind, id) {
    body.textContent = '';
    panel.hidden = false;
    panel.setAttribute('data-kind', kind);
    panel.setAttribute('data-id', String(id));
  }
  function showNode(id) {
    var n = nodes[id], info = classInfo[n.cls];
    openPanel('node', id);
    body.appendChild(el('h2', { text: n.label }));
    var g = el('span', { cls: 'kg-glyph', text: info ? info.glyph : '●' }); if (info) g.style.color = info.color;
    body.appendChild(el('div', { cls: 'kg-type' }, g, el('span', { text: (info ? info.label : n.cls) + ' · ' + n.degree +
      ' links · mentioned in ' + n.mentions + ' article' + (n.mentions === 1 ? '' : 's') })));
    body.appendChild(el('div', { cls: 'kg-iri', text: n.iri }));
    if (n.aliases.length) {
      body.appendChild(el('h3', { text: 'Also known as' }));
      var ul = el('ul', { cls: 'kg-aliases' });
      n.aliases.forEach(function (a) {
        ul.appendChild(el('li', {}, el('span', { text: a[0] }), a[1] ? el('span', { cls: 'kg-lang', text: a[1] }) : null));
      });
      body.appendChild(ul);
    }
    if (n.wikidata) {
      var link = wikidataLink(n.wikidata);
      if (link) body.appendChild(el('p', {}, 'Wikidata: ', link));
    }
    var actions = el('div', { cls: 'kg-actions' });
    var depth = el('select', { title: 'links away' });
    [1, 2, 3].forEach(function (d) { var o = el('option', { text: d + ' link' + (d === 1 ? '' : 's') }); o.value = String(d); depth.appendChild(o); });
    depth.value = '2';
    var show = el('button', { type: 'button', text: 'Show neighbourhood' });
    show.id = 'kg-neighbourhood';
    show.addEventListener('click', function () { focusOn(id, Number(depth.value)); });
    actions.appendChild(show); actions.appendChild(depth);
    if (state.focus) {
      var all = el('button', { type: 'button', text: 'Show all' });
      all.addEventListener('click', function () { state.focus = null; apply(); });
      actions.appendChild(all);
    }
    body.appendChild(actions);
    var inc = adjacency[id].map(function (eid) { return edges[eid]; });
    var nStatements = inc.reduce(function (s, e) { return s + Math.max(e.statements.length, 1); }, 0);
    body.appendChild(el('h3', { text: 'Facts (' + nStatements + ')' }));
    if (!inc.length) body.appendChild(el('p', { cls: 'kg-muted', text: 'No relations recorded.' }));
    var facts = el('div', { cls: 'kg-facts' });
    inc.sort(function (a, b) { return a.predicate < b.predicate ? -1 : a.predicate > b.predicate ? 1 : a.id - b.id; })
       .forEach(function (e) { edgeSection(e, id, facts); });
    body.appendChild(facts);
    if (n.metrics.length) {
      body.appendChild(el('h3', { text: 'Figures (' + n.metrics.length + ')' }));
      n.metrics.forEach(function (m) {
        var card = el('div', { cls: 'kg-card' });
        card.appendChild(el('div', {}, el('span', { text: m.type + ': ' }), el('span', { cls: 'kg-metric-value', text: m.text }),
          m.date ? el('span', { cls: 'kg-sub', text: m.date }) : null));
        if (m.evidence) card.appendChild(el('blockquote', { cls: 'kg-evidence', text: m.evidence }));
        card.appendChild(sourceLine(m.article));
        body.appendChild(card);
      });
    }
    if (n.articles.length) {
      body.appendChild(el('h3', { text: 'Articles (' + n.articles.length + ')' }));
      n.articles.forEach(function (i) { body.appendChild(sourceLine(i)); });
    }
  }
  function showEdge(eid) {
    var e = edges[eid];
    openPanel('edge', eid);
    body.appendChild(el('h2', {}, entButton(e.source), text(' ' + predLabel(e.predicate) + (e.directed ? ' → ' : ' ↔ ')), entButton(e.target)));
    body.appendChild(el('div', { cls: 'kg-type' }, badge(e.modality),
      el('span', { text: ' confidence ' + fmtConf(e.confidence) + ' · ' + e.statements.length + ' statement(s)' })));
    body.appendChild(el('h3', { text: 'Statements' }));
    edgeSection(e, null, body);
  }

  function focusOn(id, depth) {
    state.focus = { id: id, depth: depth, ball: ball(id, depth) };
    state.classes.add(nodes[id].cls);
    document.querySelectorAll('#kg-classes input').forEach(function (box) {
      box.checked = state.classes.has(box.getAttribute('data-name'));
    });
    apply();
    R.fit(Array.from(visibleNodes), null, true);
    R.select(id);
    showNode(id);
  }
  function selectNode(id) {
    if (inCluster(nodes[id])) { remember(); state.open.add(nodes[id].community); apply(); }
    if (!visibleNodes.has(id)) focusOn(id, 1);
    R.select(id);
    R.centreOn(id, Math.max(R.scale(), 1.0), true);
    showNode(id);
  }
  R.onClick(function (p) {
    if (p.node != null) {
      var id = p.node;
      if (typeof id === 'string') { openCluster(Number(id.slice(1))); return; }
      showNode(id);           // first: the panel narrows the canvas the neighbourhood is fitted into
      fadeOn(id, 1);
    } else if (p.edge != null) {
      showEdge(p.edge);
    } else if (state.fade) {
      fadeOn(null, 0);
    }
  });

  // ------------------------------------------------------------------ search
  var search = $('kg-search'), results = $('kg-results');
  function matches(q) {
    var out = [];
    if (!q) return out;
    nodes.forEach(function (n) {
      var keys = searchKeys[n.id], best = null;
      for (var i = 0; i < keys.length; i++) {
        var pos = keys[i].key.indexOf(q);
        if (pos < 0) continue;
        var score = (keys[i].key === q ? 0 : pos === 0 ? 1 : 2) + (i ? 0.5 : 0);
        if (!best || score < best.score) best = { score: score, alias: keys[i].alias };
      }
      if (best) out.push({ node: n, score: best.score, alias: best.alias });
    });
    out.sort(function (a, b) { return a.score - b.score || a.node.rank - b.node.rank; });
    return out.slice(0, 20);
  }
  function renderResults() {
    var found = matches(norm(search.value));
    results.textContent = '';
    if (!search.value.trim()) { results.hidden = true; return found; }
    if (!found.length) results.appendChild(el('li', { cls: 'kg-empty', text: 'No entity matches.' }));
    found.forEach(function (m) {
      var info = classInfo[m.node.cls];
      var b = el('button', { type: 'button' }, el('span', { text: m.node.label }),
        el('span', { cls: 'kg-sub', text: (m.alias ? '“' + m.alias + '” · ' : '') + (info ? info.label : m.node.cls) }));
      b.setAttribute('data-id', String(m.node.id));
      b.addEventListener('click', function () { results.hidden = true; selectNode(m.node.id); });
      results.appendChild(el('li', {}, b));
    });
    results.hidden = false;
    return found;
  }
  search.addEventListener('input', renderResults);
  search.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      var found = renderResults();
      if (found.length) { results.hidden = true; selectNode(found[0].node.id); }
    } else if (ev.key === 'Escape') { results.hidden = true; }
  });
  document.addEventListener('click', function (ev) {
    if (!$('kg-search-box').contains(ev.target)) results.hidden = true;
  });

  // for tests and the benchmark: read-only views of what is drawn
  window.kgViewer = {
    renderer: R.name,
    raw: R.raw,                         // the vis.Network or the Sigma instance
    counts: function () { var d = R.drawn(); return { nodes: d.nodes.length, edges: d.edges }; },
    clusters: function () { return R.drawn().clusters; },
    domPosition: function (id) { var p = R.where(id); return p ? R.toScreen(p.x, p.y) : null; },
    centreOn: function (id, scale) { R.centreOn(id, scale, false); },
    scale: function () { return R.scale(); },
    edgeLabels: function () { return R.edgeLabels(); },
    visibleClasses: function () {
      return Array.from(new Set(R.drawn().nodes.map(function (id) { return nodes[id].cls; })));
    },
    nodeId: function (label) {
      for (var i = 0; i < nodes.length; i++) if (nodes[i].label === label) return nodes[i].id;
      return null;
    },
    labelBoxes: function () { return labelBoxes.map(function (b) { return Object.assign({}, b); }); },
    faded: function () { return state.fade ? { id: state.fade.id, depth: state.fade.depth, size: state.fade.ball.size } : null; },
    radius: function (id) { return nodeRadius(nodes[id]); },
    hubs: function (k) { return byRank.slice(0, k).map(function (n) { return n.id; }); },
    selectNode: selectNode
  };
})();
