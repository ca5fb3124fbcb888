/**
 * netbox-archiflow: read-only Draw.io viewer in a sandboxed frame. The parent page posts
 * {action: 'load', xml, highlight} after our {event: 'init'}; we answer {event: 'load'} once drawn (or
 * {event: 'error', message}). {action: 'status', cells} colours and badges linked cells; a click on a cell
 * posts {event: 'cell', page, cell}. Messages only from the parent window, only JSON. This frame never sees
 * the NetBox session: it neither knows where links go nor fetches anything from NetBox.
 */
// Everything from this folder (viewer-static.min.js defaults to viewer.diagrams.net for all of these).
(function ()
{
	var base = window.DRAWIO_BASE_URL + '/';
	window.mxBasePath = base + 'mxgraph/';
	window.mxImageBasePath = base + 'mxgraph/images';
	window.mxLoadResources = false;
	window.STYLE_PATH = base + 'styles';
	window.SHAPES_PATH = base + 'shapes';
	window.STENCIL_PATH = base + 'stencils';
	window.GRAPH_IMAGE_PATH = base + 'img';
	window.PROXY_URL = null;
	// No MathJax is installed and none may come from the internet: formulas show as their TeX source.
	window.DRAW_MATH_URL = null;
	window.MathJax = window.MathJax || {
		typeset: function () {},
		typesetClear: function () {},
		typesetPromise: function () { return Promise.resolve(); },
		startup: {promise: Promise.resolve()}
	};
})();

(function ()
{
	'use strict';

	// What the parent asked for: cells to highlight ({page, cell}) and per-cell status ({page, cell, color,
	// badge, badgeColor, title}). Re-applied whenever the viewer shows another page.
	var wanted = {highlight: [], status: []};
	var drawn = [];
	var current = null;
	// What is drawn on the current page, for the tests: cell id -> status colour.
	window.archiflowApplied = {};

	function reply(message)
	{
		window.parent.postMessage(JSON.stringify(message), '*');
	}

	function pageId(viewer)
	{
		var diagram = viewer.diagrams && viewer.diagrams[viewer.currentPage];
		return diagram ? diagram.getAttribute('id') : null;
	}

	function onPage(viewer, item)
	{
		return item.page == null || item.page === pageId(viewer);
	}

	function badgeImage(text, color)
	{
		var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">' +
			'<circle cx="10" cy="10" r="9" fill="' + color + '" stroke="#fff" stroke-width="1.5"/>' +
			'<text x="10" y="14" font-size="11" font-family="sans-serif" text-anchor="middle" fill="#fff">' +
			mxUtils.htmlEntities(text) + '</text></svg>';
		return new mxImage('data:image/svg+xml,' + encodeURIComponent(svg), 20, 20);
	}

	function decorate(viewer)
	{
		var graph = viewer.graph;
		drawn.forEach(function (highlight) { highlight.destroy(); });
		drawn = [];
		window.archiflowApplied = {};
		graph.getModel().filterDescendants(function (cell)
		{
			graph.removeCellOverlays(cell);
			return false;
		});
		wanted.status.forEach(function (item)
		{
			var cell = graph.getModel().getCell(item.cell);
			var cellState = cell && onPage(viewer, item) ? graph.view.getState(cell) : null;
			if (cellState == null)
			{
				return;
			}
			if (item.color)
			{
				var highlight = new mxCellHighlight(graph, item.color, 4, false);
				highlight.highlight(cellState);
				drawn.push(highlight);
				window.archiflowApplied[item.cell] = item.color;
			}
			if (item.badge)
			{
				var overlay = new mxCellOverlay(badgeImage(item.badge, item.badgeColor), item.title,
					mxConstants.ALIGN_RIGHT, mxConstants.ALIGN_TOP);
				graph.addCellOverlay(cell, overlay);
			}
		});
		var first = null;
		wanted.highlight.forEach(function (item)
		{
			var cell = graph.getModel().getCell(item.cell);
			var cellState = cell && onPage(viewer, item) ? graph.view.getState(cell) : null;
			if (cellState != null)
			{
				var highlight = new mxCellHighlight(graph, '#ff9800', 8, false);
				highlight.highlight(cellState);
				drawn.push(highlight);
				first = first || cell;
			}
		});
		// Centred only when out of sight: the viewer's container is sized to the whole diagram, so centring a cell
		// that is already visible would push the rest of the drawing out of the container.
		var shown = first != null ? graph.view.getState(first) : null;
		var container = graph.container;
		if (shown != null && (shown.x < 0 || shown.y < 0 || shown.x + shown.width > container.clientWidth ||
			shown.y + shown.height > container.clientHeight))
		{
			graph.scrollCellToVisible(first, true);
		}
	}

	function show(xml, highlight)
	{
		var container = document.getElementById('viewer');
		container.innerHTML = '';
		wanted.highlight = highlight || [];
		var element = document.createElement('div');
		element.className = 'mxgraph';
		element.setAttribute('data-mxgraph', JSON.stringify({
			xml: xml, toolbar: 'zoom layers pages', nav: true, lightbox: false, edit: null, resize: true
		}));
		container.appendChild(element);
		try
		{
			GraphViewer.createViewerForElement(element, function (viewer)
			{
				current = viewer;
				// Start on the page of the first highlighted cell.
				var page = wanted.highlight.length ? wanted.highlight[0].page : null;
				var pages = viewer.diagrams || [];  // a NodeList
				for (var index = 0; page != null && index < pages.length; index++)
				{
					if (pages[index].getAttribute('id') === page && index !== viewer.currentPage)
					{
						viewer.selectPage(index);
					}
				}
				viewer.addListener('graphChanged', function () { decorate(viewer); });
				// A click names the cell; the parent page decides whether it is a link and where it goes.
				// (A mouse listener: the viewer's graph is disabled, so it fires no CLICK events.) An event that
				// arrives without a cell state (the mouse on a label's HTML or on an overlay) is resolved from
				// its position.
				var pressed = null;
				var cellAt = function (me)
				{
					return me.getCell() || viewer.graph.getCellAt(me.getGraphX(), me.getGraphY());
				};
				viewer.graph.addMouseListener({
					mouseDown: function (sender, me) { pressed = cellAt(me); },
					mouseMove: function () {},
					mouseUp: function (sender, me)
					{
						var cell = cellAt(me);
						if (cell != null && cell === pressed)
						{
							reply({event: 'cell', page: pageId(viewer), cell: String(cell.id)});
						}
						pressed = null;
					}
				});
				decorate(viewer);
				reply({event: 'load', height: document.body.scrollHeight});
			});
		}
		catch (e)
		{
			reply({event: 'error', message: String(e && e.message || e)});
		}
	}

	function isItem(item)
	{
		return item != null && typeof item.cell === 'string' && (item.page == null || typeof item.page === 'string');
	}

	// viewer-static.min.js calls this instead of rendering every .mxgraph element of the page by itself.
	window.onDrawioViewerLoad = function ()
	{
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
			if (message && message.action === 'load' && typeof message.xml === 'string')
			{
				show(message.xml, Array.isArray(message.highlight) ? message.highlight.filter(isItem) : []);
			}
			else if (message && message.action === 'status' && Array.isArray(message.cells))
			{
				wanted.status = message.cells.filter(isItem).map(function (item)
				{
					// Colours are drawn as SVG attributes: only plain hex values pass.
					var hex = /^#[0-9a-fA-F]{3,8}$/;
					return {
						page: item.page, cell: item.cell, title: String(item.title || ''),
						color: hex.test(item.color) ? item.color : null,
						badge: item.badge ? String(item.badge).slice(0, 3) : null,
						badgeColor: hex.test(item.badgeColor) ? item.badgeColor : '#6c757d'
					};
				});
				if (current != null)
				{
					decorate(current);
				}
			}
		});
		// viewer-static.min.js may call this from the <head>, before the container exists (cached scripts): the
		// parent's XML is asked for once the document is parsed.
		if (document.readyState === 'loading')
		{
			document.addEventListener('DOMContentLoaded', function () { reply({event: 'init'}); });
		}
		else
		{
			reply({event: 'init'});
		}
	};
})();
