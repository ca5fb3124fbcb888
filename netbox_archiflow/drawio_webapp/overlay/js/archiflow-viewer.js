/**
 * netbox-archiflow: read-only Draw.io viewer in a sandboxed frame. The parent page posts
 * {action: 'load', xml} after our {event: 'init'}; we answer {event: 'load'} once drawn (or
 * {event: 'error', message}). Messages only from the parent window, only JSON.
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

	function reply(message)
	{
		window.parent.postMessage(JSON.stringify(message), '*');
	}

	function show(xml)
	{
		var container = document.getElementById('viewer');
		container.innerHTML = '';
		var element = document.createElement('div');
		element.className = 'mxgraph';
		element.setAttribute('data-mxgraph', JSON.stringify({
			xml: xml, toolbar: 'zoom layers pages', nav: true, lightbox: false, edit: null, resize: true
		}));
		container.appendChild(element);
		try
		{
			GraphViewer.createViewerForElement(element, function ()
			{
				reply({event: 'load', height: document.body.scrollHeight});
			});
		}
		catch (e)
		{
			reply({event: 'error', message: String(e && e.message || e)});
		}
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
				show(message.xml);
			}
		});
		reply({event: 'init'});
	};
})();
