/*
 * netbox-archiflow: feeds a diagram (or a version) to Draw.io's read-only viewer, which runs sandboxed in an
 * opaque origin (drawio/viewer.html). Messages count only from that frame's window; the XML is sent once the
 * viewer says it is ready. The page's CSP (frame-src) keeps the frame on the Draw.io folder.
 *
 * With a config (the diagram's viewer page): the cells to highlight go along with the XML; the live status is
 * fetched here, with the user's session, and only colours and badges are posted to the frame; a click in the
 * frame names a cell, and this page decides where to go from the links it was given by NetBox.
 */
(function () {
  'use strict';

  var frame = document.querySelector('iframe.archiflow-viewer-frame');
  var xml = JSON.parse(document.getElementById('archiflow-viewer-xml').textContent) || '';
  var configElement = document.getElementById('archiflow-viewer-config');
  var config = configElement ? JSON.parse(configElement.textContent) : null;
  var state = { initialized: false, loaded: false, error: null, ignoredMessages: 0, statusRefreshes: 0, colors: {} };
  window.archiflowViewer = state;

  // NetBox's status colour names (ColorChoices-like) as the hex values of its theme.
  var COLORS = {
    blue: '#0d6efd', indigo: '#6610f2', purple: '#6f42c1', pink: '#d63384', red: '#dc3545', orange: '#fd7e14',
    yellow: '#ffc107', green: '#198754', teal: '#20c997', cyan: '#0dcaf0', gray: '#6c757d', grey: '#6c757d',
    black: '#000000', white: '#ffffff', dark: '#343a40', secondary: '#6c757d', success: '#198754',
    danger: '#dc3545', warning: '#ffc107', info: '#0dcaf0', primary: '#0d6efd'
  };
  var SEVERITY_COLORS = { critical: '#dc3545', warning: '#fd7e14', info: '#0d6efd' };

  function post(message) {
    frame.contentWindow.postMessage(JSON.stringify(message), '*');
  }

  function decoration(cell) {
    var color = null;
    var title = cell.display || '';
    if (!cell.exists) {
      color = COLORS.red;
      title += ' (deleted)';
    } else if (cell.status) {
      color = COLORS[cell.status.color] || null;
      title += ' · ' + cell.status.label;
    } else if (cell.enabled === false || cell.connected === false) {
      color = COLORS.gray;
    }
    if (cell.utilization !== null && cell.utilization !== undefined) title += ' · ' + cell.utilization + ' %';
    var alerts = cell.alerts || { count: 0 };
    return {
      page: cell.page_id, cell: cell.cell_id, color: color, title: title,
      badge: alerts.count ? String(alerts.count) : null,
      badgeColor: alerts.count ? (SEVERITY_COLORS[alerts.worst] || COLORS.gray) : null
    };
  }

  function refreshStatus() {
    fetch(config.statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (body) {
        var cells = body.cells.filter(function (cell) { return cell.visible || !cell.exists; }).map(decoration);
        state.colors = {};
        cells.forEach(function (cell) { state.colors[cell.cell] = cell.color; });
        state.statusRefreshes += 1;
        post({ action: 'status', cells: cells });
      })
      .catch(function (error) {
        state.error = String(error);
      })
      .then(function () {
        window.setTimeout(refreshStatus, Math.max(1, Number(config.interval) || 30) * 1000);
      });
  }

  function open(message) {
    var target = null;
    (config.links || []).forEach(function (link) {
      if (link.cell === message.cell && (link.page === message.page || !message.page)) target = link.url;
    });
    // Only a NetBox path, never an address the frame could have made up.
    if (target && target.charAt(0) === '/' && target.charAt(1) !== '/') window.location.assign(target);
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== 'null' || event.source !== frame.contentWindow || typeof event.data !== 'string') {
      state.ignoredMessages += 1;
      return;
    }
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (message.event === 'init') {
      state.initialized = true;
      post({ action: 'load', xml: xml, highlight: config ? config.highlight : [] });
    } else if (message.event === 'load') {
      var first = !state.loaded;
      state.loaded = true;
      if (config) {
        if (first && config.statusUrl) refreshStatus();
      } else {
        var height = Number(message.height);
        if (height > 0) frame.style.height = Math.min(Math.max(height + 8, 160), 2400) + 'px';
      }
    } else if (message.event === 'cell' && config && typeof message.cell === 'string') {
      open(message);
    } else if (message.event === 'error') {
      state.error = String(message.message);
    }
  });
})();
