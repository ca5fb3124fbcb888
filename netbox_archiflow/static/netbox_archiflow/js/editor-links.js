/*
 * netbox-archiflow: the page's side of the editor's NetBox link tools (the Draw.io plugin is
 * drawio/js/archiflow-editor.js). Only with the self-hosted, sandboxed Draw.io.
 *
 * The frame never reaches NetBox: it names a cell, this page searches NetBox's REST API with the user's
 * session, the user picks an object, and only the object's type, id and name go back to the frame.
 * Messages count only when they come from the editor's frame window with the editor's origin (as in editor.js).
 *
 * archiflow:link {cell, label}  → the picker; the choice → {action: 'archiflow:link', cell, object}
 * archiflow:library {site}      → the shapes of a site picked here (diagrams/{id}/library/?site_id=)
 *                                 when the diagram has none or the user asks for another. The first library
 *                                 comes with editor.js's configure answer (config.linkTools.library).
 */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('archiflow-editor-config').textContent);
  var tools = config.linkTools;
  var frame = document.getElementById('drawio-frame');
  var dialog = document.getElementById('archiflow-link-picker');
  if (!tools || !frame || !dialog) return;

  var typeSelect = dialog.querySelector('.archiflow-link-picker-type');
  var queryInput = dialog.querySelector('.archiflow-link-picker-query');
  var results = dialog.querySelector('.archiflow-link-picker-results');
  var statusLine = dialog.querySelector('.archiflow-link-picker-status');
  var cellLine = dialog.querySelector('.archiflow-link-picker-cell');
  var SITE = 'dcim.site';

  // Diagnostics for people and for the browser tests.
  var state = { linkRequests: 0, linked: [], libraries: [], searches: 0, ignoredMessages: 0 };
  window.archiflowLinkTools = state;

  // What the open picker is for: {kind: 'link', cell} or {kind: 'site'}.
  var purpose = null;
  var searchTimer = null;
  var searchNumber = 0;
  // The link picker's type while the picker chooses a site.
  var linkType = null;

  function post(message) {
    frame.contentWindow.postMessage(JSON.stringify(message), config.editorOrigin === 'null' ? '*' : config.editorOrigin);
  }

  function typeInfo(type) {
    return tools.types.filter(function (item) { return item.type === type; })[0] || null;
  }

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.detail || 'HTTP ' + response.status);
        return body;
      });
    });
  }

  function showResults(objects, type) {
    results.textContent = '';
    objects.forEach(function (object) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'list-group-item list-group-item-action archiflow-link-picker-result';
      button.setAttribute('role', 'option');
      button.textContent = object.display;
      button.addEventListener('click', function () { choose(type, object); });
      results.appendChild(button);
    });
  }

  function search() {
    var info = typeInfo(purpose && purpose.kind === 'site' ? SITE : typeSelect.value);
    if (!info) return;
    var number = ++searchNumber;
    var url = info.url + '?brief=1&limit=20&q=' + encodeURIComponent(queryInput.value.trim());
    statusLine.textContent = 'Searching…';
    getJson(url)
      .then(function (body) {
        if (number !== searchNumber) return;
        state.searches += 1;
        var objects = (body.results || []).filter(function (object) { return Number(object.id) > 0; });
        showResults(objects, info.type);
        statusLine.textContent = objects.length ? (body.count > objects.length ? 'First ' + objects.length +
          ' of ' + body.count + ': narrow the search.' : '') : 'Nothing found.';
      })
      .catch(function (error) {
        if (number === searchNumber) statusLine.textContent = 'Search failed: ' + error.message;
      });
  }

  function openPicker(newPurpose, text) {
    purpose = newPurpose;
    cellLine.textContent = text;
    var siteMode = purpose.kind === 'site';
    typeSelect.disabled = siteMode;
    // Choosing the library's site borrows the type list; linking a cell gets the user's type back.
    if (siteMode) {
      if (linkType === null) linkType = typeSelect.value;
      typeSelect.value = SITE;
    } else if (linkType !== null) {
      typeSelect.value = linkType;
      linkType = null;
    }
    queryInput.value = '';
    results.textContent = '';
    statusLine.textContent = '';
    if (!dialog.open) dialog.showModal();
    queryInput.focus();
    search();
  }

  function choose(type, object) {
    var chosen = purpose;
    dialog.close();
    if (!chosen) return;
    if (chosen.kind === 'link') {
      var linked = { type: type, id: Number(object.id), display: String(object.display || '') };
      state.linked.push({ cell: chosen.cell, object: linked });
      post({ action: 'archiflow:link', cell: chosen.cell, object: linked });
    } else {
      loadLibrary(object.id);
    }
  }

  function sendLibrary(title, items, message) {
    state.libraries.push({ title: title, items: items.length, message: message });
    post({ action: 'archiflow:library', title: title, items: items, message: message });
  }

  function loadLibrary(siteId) {
    getJson(tools.libraryUrl + '?site_id=' + encodeURIComponent(siteId))
      .then(function (body) {
        sendLibrary('NetBox: ' + body.site.name, body.items || [],
          (body.items || []).length ? 'Drag a shape in: it is linked to its object.' : 'Nothing to show at this site.');
      })
      .catch(function (error) {
        sendLibrary('NetBox', [], 'The library could not be loaded: ' + error.message);
      });
  }

  typeSelect.addEventListener('change', search);
  queryInput.addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });
  dialog.addEventListener('close', function () {
    purpose = null;
    searchNumber += 1;
  });

  window.addEventListener('message', function (event) {
    if (event.origin !== config.editorOrigin || event.source !== frame.contentWindow || typeof event.data !== 'string') {
      state.ignoredMessages += 1;
      return;
    }
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!message || typeof message.event !== 'string') return;
    if (message.event === 'archiflow:link' && typeof message.cell === 'string') {
      state.linkRequests += 1;
      var label = String(message.label || '').replace(/<[^>]*>/g, '').trim();
      openPicker({ kind: 'link', cell: message.cell }, label ? 'Cell: ' + label : 'Cell ' + message.cell);
    } else if (message.event === 'archiflow:library' && message.site === 'choose') {
      if (typeInfo(SITE)) {
        openPicker({ kind: 'site' }, 'Choose the site whose objects the NetBox library shows.');
      } else {
        sendLibrary('NetBox', [], 'You may not view sites.');
      }
    }
  });
})();
