/*
 * netbox-archiflow: bridge between the diagram editor page and Draw.io embedded in an iframe
 * (embed=1&proto=json). Security: every message must come from the configured editor origin AND from
 * our iframe's window. The self-hosted Draw.io runs sandboxed in an opaque origin: its messages have the
 * origin "null" (so the window check is what counts) and ours can only be addressed with "*"; the page's
 * CSP (frame-src) keeps that frame on the Draw.io folder, so nothing else can receive them. An external
 * editor gets every message addressed to its origin.
 *
 * configure → {compressXml: false}, plus archiflowLibrary (the palette's first content) with the self-hosted editor
 * init  → load (current XML, autosave:1 so Draw.io reports changes)
 * save  → PATCH the diagram through the REST API {xml, base_version} with the session and the CSRF token, as
 *         NetBox's own pages do; 200 → status; 409 → dialog, the user's XML is kept; 413/400 → dialog
 *         → after a real save, export xmlsvg and POST it to the diagram's REST preview action
 * autosave → marks the page dirty; also saved (kind autosave) when the diagram_autosave setting is on
 * exit  → back to the diagram page
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('archiflow-editor-config').textContent);
  var initialXml = JSON.parse(document.getElementById('archiflow-editor-xml').textContent) || '';
  var frame = document.getElementById('drawio-frame');
  var statusEl = document.getElementById('editor-status');
  var versionEl = document.getElementById('editor-version');

  // Diagnostics for people and for the browser tests (never trusted by the server).
  var state = {
    baseVersion: config.version,
    initialized: false,
    loaded: false,
    dirty: false,
    saving: false,
    ignoredMessages: 0,
    saves: [],
    conflicts: 0,
    previewStored: 0,
    previewResults: [],
    events: [],
    lastStatus: '',
    unsavedXml: null,
    openedLinks: [],
  };
  window.archiflowEditor = state;

  var exitAfterPreview = false;
  var exportVersion = null;
  var autosaveTimer = null;

  function setStatus(text) {
    state.lastStatus = text;
    if (statusEl) statusEl.textContent = text;
  }

  var targetOrigin = config.editorOrigin === 'null' ? '*' : config.editorOrigin;

  function post(message) {
    frame.contentWindow.postMessage(JSON.stringify(message), targetOrigin);
  }

  function dialog(title, message) {
    post({ action: 'dialog', titleKey: null, title: title, message: message, button: 'OK', modified: true });
  }

  function request(method, url, payload) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'X-CSRFToken': config.csrfToken,
      },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response
        .json()
        .catch(function () { return { detail: response.statusText }; })
        .then(function (body) { return { status: response.status, body: body }; });
    });
  }

  // The REST API answers {code, detail, field} (the plugin's errors) or {field: [messages]} (DRF's validation).
  function errorText(status, body) {
    if (body.detail) return body.detail;
    var messages = Object.keys(body).map(function (field) { return field + ': ' + [].concat(body[field]).join(' '); });
    return messages.length ? messages.join('; ') : 'The server answered HTTP ' + status + '.';
  }

  function goBack() {
    state.dirty = false;
    window.location.href = config.exitUrl;
  }

  function save(xml, options) {
    options = options || {};
    if (state.saving) {
      if (!options.autosave) {
        // Retry a manual save once the running one is done.
        setTimeout(function () { save(xml, options); }, 200);
      }
      return;
    }
    state.saving = true;
    state.unsavedXml = xml;
    setStatus(options.autosave ? 'Autosaving…' : 'Saving…');
    request('PATCH', config.saveUrl, {
      xml: xml,
      base_version: state.baseVersion,
      autosave: !!options.autosave,
      change_summary: options.autosave ? 'Autosave' : 'Saved in the editor',
    })
      .then(function (result) {
        state.saving = false;
        var body = result.body || {};
        state.saves.push({ status: result.status, body: body, autosave: !!options.autosave });
        if (result.status === 200) {
          state.baseVersion = body.version;
          if (versionEl) versionEl.textContent = body.version;
          if (state.unsavedXml === xml) {
            state.dirty = false;
            state.unsavedXml = null;
          }
          var text = body.modified ? 'Saved version ' + body.version : 'No changes to save';
          setStatus(text);
          post({ action: 'status', message: text, modified: false });
          if (body.modified) {
            exportVersion = body.version;
            exitAfterPreview = !!options.exit;
            // No spin/spinKey: Draw.io drops an export request while a spinner shows.
            post({ action: 'export', format: 'xmlsvg' });
          } else if (options.exit) {
            goBack();
          }
        } else if (result.status === 409) {
          state.conflicts += 1;
          state.dirty = true;
          setStatus('Conflict: version ' + body.current_version + ' was saved by someone else. Your changes are kept in the editor.');
          dialog(
            'Saved by someone else',
            'Version ' + body.current_version + ' was saved while you edited version ' + state.baseVersion +
              '. Nothing was overwritten and your drawing is still here: download or copy it, then reload ' +
              'the editor to see the latest version.'
          );
        } else {
          state.dirty = true;
          setStatus('Not saved: ' + errorText(result.status, body));
          dialog('Not saved', errorText(result.status, body));
        }
      })
      .catch(function (error) {
        state.saving = false;
        state.dirty = true;
        setStatus('Not saved: ' + error);
        dialog('Not saved', 'The server could not be reached: ' + error);
      });
  }

  function decodeSvg(data) {
    if (typeof data !== 'string') return null;
    var comma = data.indexOf(',');
    if (data.indexOf('data:') !== 0 || comma < 0) return data;
    var meta = data.substring(0, comma);
    var payload = data.substring(comma + 1);
    if (meta.indexOf(';base64') >= 0) {
      var binary = atob(payload);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return new TextDecoder('utf-8').decode(bytes);
    }
    return decodeURIComponent(payload);
  }

  function storePreview(data) {
    var svg = decodeSvg(data);
    var version = exportVersion;
    var exit = exitAfterPreview;
    exportVersion = null;
    exitAfterPreview = false;
    if (!svg || version === null) {
      if (exit) goBack();
      return;
    }
    request('POST', config.previewUrl, { svg: svg, version: version })
      .then(function (result) {
        state.previewResults.push({ status: result.status, body: result.body });
        if (result.status === 200) state.previewStored += 1;
        if (exit) goBack();
      })
      .catch(function (error) {
        state.previewResults.push({ status: 0, body: { detail: String(error) } });
        if (exit) goBack();
      });
  }

  function openLink(href) {
    var url;
    try {
      url = new URL(String(href), window.location.href);
    } catch (error) {
      return;
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      state.openedLinks.push(url.href);
      window.open(url.href, '_blank', 'noopener,noreferrer');
    }
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== config.editorOrigin || event.source !== frame.contentWindow) {
      state.ignoredMessages += 1;
      return;
    }
    var message;
    try {
      message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch (error) {
      return;
    }
    if (!message || typeof message.event !== 'string') return;
    state.events.push(message.event);

    switch (message.event) {
      case 'configure':
        // Plain (uncompressed) XML: readable diffs, labels and template placeholders. With the self-hosted
        // editor, the NetBox library of the diagram's site too: Draw.io keeps the whole answer as Editor.config,
        // where its NetBox plugin (drawio/js/archiflow-editor.js) finds the palette's first content.
        var drawioConfig = { compressXml: false };
        if (config.linkTools && config.linkTools.library) drawioConfig.archiflowLibrary = config.linkTools.library;
        post({ action: 'configure', config: drawioConfig });
        break;
      case 'init':
        state.initialized = true;
        post({
          action: 'load',
          xml: initialXml,
          autosave: 1,
          saveAndExit: '1',
          modified: 'unsavedChanges',
          title: config.title,
        });
        break;
      case 'load':
        state.loaded = true;
        setStatus('Ready');
        break;
      case 'autosave':
        state.dirty = true;
        state.unsavedXml = message.xml;
        if (config.autosave) {
          clearTimeout(autosaveTimer);
          autosaveTimer = setTimeout(function () { save(message.xml, { autosave: true }); }, 1500);
        } else {
          setStatus('Unsaved changes');
        }
        break;
      case 'save':
        clearTimeout(autosaveTimer);
        save(message.xml, { exit: !!message.exit });
        break;
      case 'export':
        // Draw.io answers an xmlsvg request with format 'svg' (an SVG data URL embedding the XML).
        if ((message.format === 'xmlsvg' || message.format === 'svg') && exportVersion !== null) {
          storePreview(message.data);
        }
        break;
      case 'openLink':
        // The sandboxed editor may not open windows itself: web links open here, anything else is dropped.
        openLink(message.href);
        break;
      case 'exit':
        goBack();
        break;
      default:
        break;
    }
  });

  window.addEventListener('beforeunload', function (event) {
    if (state.dirty) {
      event.preventDefault();
      event.returnValue = '';
      return '';
    }
    return undefined;
  });
})();
