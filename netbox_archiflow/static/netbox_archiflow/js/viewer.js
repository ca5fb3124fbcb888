/*
 * netbox-archiflow: feeds a diagram version to Draw.io's read-only viewer, which runs sandboxed in an
 * opaque origin (drawio/viewer.html). Messages count only from that frame's window; the XML is sent
 * once the viewer says it is ready. The page's CSP (frame-src) keeps the frame on the Draw.io folder.
 */
(function () {
  'use strict';

  var frame = document.getElementById('version-viewer');
  var xml = JSON.parse(document.getElementById('archiflow-viewer-xml').textContent) || '';
  var state = { initialized: false, loaded: false, error: null, ignoredMessages: 0 };
  window.archiflowViewer = state;

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
      frame.contentWindow.postMessage(JSON.stringify({ action: 'load', xml: xml }), '*');
    } else if (message.event === 'load') {
      state.loaded = true;
      var height = Number(message.height);
      if (height > 0) frame.style.height = Math.min(Math.max(height + 8, 160), 2400) + 'px';
    } else if (message.event === 'error') {
      state.error = String(message.message);
    }
  });
})();
