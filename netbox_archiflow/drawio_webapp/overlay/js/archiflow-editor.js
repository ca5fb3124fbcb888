/**
 * netbox-archiflow: the editor's NetBox link tools, a Draw.io plugin (registered by PostConfig.js).
 *
 * This frame runs sandboxed in an opaque origin and never talks to NetBox: it asks the parent page, which
 * searches NetBox with the user's session and answers with what to put into the diagram.
 *
 * The palette's first content, the library of the diagram's site, comes with the embed protocol's configure answer
 * (Editor.config.archiflowLibrary: {title, items, message}); another site's comes by message.
 *
 * Frame → page (JSON, to window.parent):
 *   {event: 'archiflow:link', cell, label}   "Link to NetBox object…" on the selected cell
 *   {event: 'archiflow:library', site: 'choose'}  the user wants another site's NetBox library
 * Page → frame (accepted only from window.parent):
 *   {action: 'archiflow:link', cell, object: {type, id, display}}   link that cell (label set when empty)
 *   {action: 'archiflow:library', title, items: [{group, object_type, object_id, display, label, style,
 *    width, height}], message?}                                     fill the "NetBox" sidebar palette
 *
 * Linked cells (netbox_type + netbox_id on their <object>/<UserObject>) carry a badge while editing.
 */
window.archiflowEditorPlugin = function (ui)
{
	'use strict';

	var graph = ui.editor.graph;
	var model = graph.getModel();
	var PALETTE = 'archiflow-netbox';
	var BADGE = new mxImage('data:image/svg+xml,' + encodeURIComponent(
		'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">' +
		'<circle cx="8" cy="8" r="7" fill="#0d6efd" stroke="#fff" stroke-width="1.5"/>' +
		'<text x="8" y="11.5" font-size="9" font-weight="bold" font-family="sans-serif" text-anchor="middle" ' +
		'fill="#fff">N</text></svg>'), 16, 16);
	var OBJECT_TYPE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
	// For people and the browser tests: cell id -> netbox_display of the badged cells on the current page.
	window.archiflowLinked = {};

	mxResources.parse('archiflowLink=Link to NetBox object\narchiflowUnlink=Remove NetBox link\n' +
		'archiflowLibrary=NetBox');

	function post(message)
	{
		window.parent.postMessage(JSON.stringify(message), '*');
	}

	function isLinked(cell)
	{
		var value = cell != null ? cell.value : null;
		return mxUtils.isNode(value) && !!value.getAttribute('netbox_type') && !!value.getAttribute('netbox_id');
	}

	function selectedCell()
	{
		return graph.getSelectionCount() === 1 ? graph.getSelectionCell() : null;
	}

	function badge(cell)
	{
		graph.removeCellOverlays(cell);
		delete window.archiflowLinked[cell.id];
		if (isLinked(cell))
		{
			var display = cell.value.getAttribute('netbox_display') || cell.value.getAttribute('netbox_type') + ' ' +
				cell.value.getAttribute('netbox_id');
			var overlay = new mxCellOverlay(BADGE, 'NetBox: ' + display, mxConstants.ALIGN_RIGHT, mxConstants.ALIGN_TOP);
			overlay.cursor = 'default';
			graph.addCellOverlay(cell, overlay);
			window.archiflowLinked[cell.id] = display;
		}
	}

	function badgeAll()
	{
		window.archiflowLinked = {};
		for (var id in model.cells)
		{
			if (Object.prototype.hasOwnProperty.call(model.cells, id))
			{
				badge(model.cells[id]);
			}
		}
	}

	model.addListener(mxEvent.CHANGE, function (sender, evt)
	{
		var changes = evt.getProperty('edit').changes;
		for (var i = 0; i < changes.length; i++)
		{
			if (changes[i] instanceof mxRootChange)
			{
				badgeAll();
				return;
			}
		}
		changes.forEach(function (change)
		{
			var cell = change.cell || change.child;
			if (cell != null && model.contains(cell))
			{
				model.filterDescendants(function (descendant) { badge(descendant); return false; }, cell);
			}
			else if (cell != null)
			{
				delete window.archiflowLinked[cell.id];
			}
		});
	});

	// Actions, the cell context menu and the toolbar.
	var linkAction = ui.actions.addAction('archiflowLink...', function ()
	{
		var cell = selectedCell();
		if (cell != null)
		{
			post({event: 'archiflow:link', cell: String(cell.id), label: graph.convertValueToString(cell) || ''});
		}
	});
	var unlinkAction = ui.actions.addAction('archiflowUnlink', function ()
	{
		var cell = selectedCell();
		if (isLinked(cell))
		{
			model.beginUpdate();
			try
			{
				['netbox_type', 'netbox_id', 'netbox_display'].forEach(function (name)
				{
					graph.setAttributeForCell(cell, name, null);
				});
			}
			finally
			{
				model.endUpdate();
			}
		}
	});

	function updateActions()
	{
		var cell = selectedCell();
		linkAction.setEnabled(cell != null);
		unlinkAction.setEnabled(isLinked(cell));
	}

	graph.getSelectionModel().addListener(mxEvent.CHANGE, updateActions);
	model.addListener(mxEvent.CHANGE, updateActions);
	updateActions();

	var createPopupMenu = ui.menus.createPopupMenu;
	ui.menus.createPopupMenu = function (menu, cell, evt)
	{
		createPopupMenu.apply(this, arguments);
		if (selectedCell() != null)
		{
			menu.addSeparator();
			this.addMenuItems(menu, isLinked(selectedCell()) ? ['archiflowLink', 'archiflowUnlink'] : ['archiflowLink'],
				null, evt);
		}
	};

	if (ui.toolbar != null)
	{
		ui.toolbar.addSeparator();
		var button = ui.toolbar.addItem('', 'archiflowLink');
		button.classList.add('archiflow-link-button');
		button.textContent = 'NetBox link';
		button.style.width = 'auto';
		button.style.padding = '0 6px';
		button.style.fontSize = '12px';
		button.style.lineHeight = '26px';
	}

	// The "NetBox" sidebar palette.
	function libraryCell(item)
	{
		var value = mxUtils.createXmlDocument().createElement('UserObject');
		value.setAttribute('label', String(item.label || item.display || ''));
		value.setAttribute('netbox_type', item.object_type);
		value.setAttribute('netbox_id', String(item.object_id));
		value.setAttribute('netbox_display', String(item.display || ''));
		var cell = new mxCell(value, new mxGeometry(0, 0, item.width, item.height), String(item.style || ''));
		cell.vertex = true;
		return cell;
	}

	function validItem(item)
	{
		return item != null && typeof item.object_type === 'string' && OBJECT_TYPE.test(item.object_type) &&
			/^[1-9][0-9]*$/.test(String(item.object_id)) && Number(item.width) > 0 && Number(item.height) > 0;
	}

	// What the palette shows; the page replaces it ({action: 'archiflow:library'}).
	var library = {title: 'NetBox', items: [], message: 'Loading the site’s objects…'};
	// The palette's content element, once Draw.io has asked for it (palettes are filled when first shown).
	var paletteContent = null;

	function fillPalette(content)
	{
		var sidebar = ui.sidebar;
		paletteContent = content;
		content.classList.add('archiflow-library');
		var heading = document.createElement('div');
		heading.className = 'archiflow-library-title';
		heading.style.cssText = 'padding:4px 6px;font-size:11px;font-weight:bold;';
		heading.textContent = library.title;
		content.appendChild(heading);
		library.items.forEach(function (item)
		{
			var text = item.group + ': ' + (item.display || item.label);
			var element = sidebar.createVertexTemplateFromCells([libraryCell(item)], Number(item.width),
				Number(item.height), text, true);
			element.setAttribute('data-netbox', item.object_type + ':' + item.object_id);
			content.appendChild(element);
		});
		var note = document.createElement('div');
		note.style.cssText = 'padding:4px 6px;font-size:11px;';
		note.textContent = library.message;
		var choose = document.createElement('button');
		choose.type = 'button';
		choose.className = 'geBtn archiflow-choose-site';
		choose.textContent = library.items.length ? 'Another site…' : 'Choose a site…';
		choose.style.cssText = 'display:block;margin:4px 0 0 0;';
		mxEvent.addListener(choose, 'click', function (evt)
		{
			post({event: 'archiflow:library', site: 'choose'});
			mxEvent.consume(evt);
		});
		note.appendChild(choose);
		content.appendChild(note);
	}

	// Added once, and again only after Draw.io rebuilt its whole sidebar (Sidebar.refresh empties it and calls
	// init). Draw.io's removePalette cannot be used: it removes from the sidebar's container, while palettes live
	// in its inner wrapper ("The node to be removed is not a child of this node").
	function addPalette()
	{
		var sidebar = ui.sidebar;
		paletteContent = null;
		sidebar.addPalette(PALETTE, mxResources.get('archiflowLibrary'), true, fillPalette);
		// Near the top: after Draw.io's search box, above its own palettes. Moved within the sidebar's entry
		// container, as Draw.io's own palette ordering does.
		var entry = sidebar.palettes[PALETTE];
		var container = sidebar.getEntryContainer();
		var search = sidebar.palettes.search;
		var before = search != null && search[1].parentNode === container ? search[1].nextSibling : container.firstChild;
		if (entry[0].parentNode === container && entry[1].parentNode === container && before !== entry[0])
		{
			container.insertBefore(entry[0], before);
			container.insertBefore(entry[1], entry[0].nextSibling);
		}
	}

	function showLibrary(title, items, message)
	{
		library = {title: title, items: items.filter(validItem), message: message};
		var content = paletteContent;
		if (content != null)
		{
			// Only what fillPalette put there is replaced; the palette itself stays.
			while (content.firstChild != null)
			{
				ui.sidebar.unobserveElements(content.firstChild);
				content.removeChild(content.firstChild);
			}
			fillPalette(content);
		}
	}

	function linkCell(message)
	{
		var cell = model.getCell(message.cell);
		var object = message.object || {};
		if (cell == null || !OBJECT_TYPE.test(String(object.type)) || !/^[1-9][0-9]*$/.test(String(object.id)))
		{
			return;
		}
		var display = String(object.display || '');
		model.beginUpdate();
		try
		{
			graph.setAttributeForCell(cell, 'netbox_type', object.type);
			graph.setAttributeForCell(cell, 'netbox_id', String(object.id));
			graph.setAttributeForCell(cell, 'netbox_display', display);
			if (!graph.convertValueToString(cell))
			{
				// An HTML label shows markup: the object's name is text.
				graph.setAttributeForCell(cell, 'label', graph.isHtmlLabel(cell) ? mxUtils.htmlEntities(display) : display);
			}
		}
		finally
		{
			model.endUpdate();
		}
		graph.setSelectionCell(cell);
	}

	window.addEventListener('message', function (event)
	{
		if (event.source !== window.parent || typeof event.data !== 'string')
		{
			return;
		}
		var message;
		try
		{
			message = JSON.parse(event.data);
		}
		catch (e)
		{
			return;
		}
		if (message == null || typeof message.action !== 'string')
		{
			return;
		}
		if (message.action === 'archiflow:link' && typeof message.cell === 'string')
		{
			linkCell(message);
		}
		else if (message.action === 'archiflow:library' && Array.isArray(message.items))
		{
			showLibrary(String(message.title || 'NetBox'), message.items, message.message ? String(message.message) : '');
		}
	});

	if (ui.sidebar != null)
	{
		var initSidebar = ui.sidebar.init;
		ui.sidebar.init = function ()
		{
			initSidebar.apply(this, arguments);
			addPalette();
		};
		addPalette();
	}
	badgeAll();
	var configured = Editor.config != null ? Editor.config.archiflowLibrary : null;
	if (configured != null && Array.isArray(configured.items))
	{
		showLibrary(String(configured.title || 'NetBox'), configured.items, configured.message ? String(configured.message) : '');
	}
};
