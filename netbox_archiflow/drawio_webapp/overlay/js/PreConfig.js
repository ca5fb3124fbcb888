/**
 * netbox-archiflow: replaces Draw.io's js/PreConfig.js (loaded before Draw.io starts).
 *
 * Draw.io runs embedded in NetBox, in a sandboxed frame with an opaque origin and a Content-Security-Policy
 * that lets it load its own files only. Every online feature is switched off here so that it never tries
 * to reach another host: cloud storage, remote export, MathJax and fonts from the internet, usage
 * reporting, update checks, real-time collaboration, icon search and AI services.
 */
window.EXPORT_URL = null;
window.PLANT_URL = null;
window.VSS_CONVERT_URL = null;
// Draw.io's own links and images point at this folder, never at app.diagrams.net or viewer.diagrams.net.
window.DRAWIO_BASE_URL = window.location.protocol + '//' + window.location.host +
	window.location.pathname.substring(0, window.location.pathname.lastIndexOf('/'));
window.DRAWIO_SERVER_URL = window.DRAWIO_BASE_URL + '/';
window.DRAWIO_VIEWER_URL = null;
window.DRAWIO_LIGHTBOX_URL = window.DRAWIO_BASE_URL;
window.DRAWIO_LOG_URL = null;
window.NOTIFICATIONS_URL = null;
window.DRAWIO_CONFIG = null;
window.DRAWIO_GOOGLE_APP_ID = null;
window.DRAWIO_GOOGLE_CLIENT_ID = null;
window.DRAWIO_MSGRAPH_CLIENT_ID = null;
window.DRAWIO_GITLAB_ID = null;
window.DRAWIO_GITHUB_ID = null;
window.DRAWIO_DROPBOX_ID = null;
window.DRAWIO_NEXTCLOUD_ID = null;

(function ()
{
	// The opaque origin has no cookies and no web storage: Draw.io's settings live in memory only.
	function memoryStorage()
	{
		var items = {};

		return {
			getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
			setItem: function (key, value) { items[key] = String(value); },
			removeItem: function (key) { delete items[key]; },
			clear: function () { items = {}; },
			key: function (i) { return Object.keys(items)[i] || null; },
			get length() { return Object.keys(items).length; }
		};
	}

	function shadow(target, name, value)
	{
		try
		{
			target[name];
		}
		catch (e)
		{
			Object.defineProperty(target, name, value);
		}
	}

	shadow(document, 'cookie', {configurable: true, get: function () { return ''; }, set: function () {}});
	shadow(window, 'localStorage', {configurable: true, value: memoryStorage()});
	shadow(window, 'sessionStorage', {configurable: true, value: memoryStorage()});
})();

if (typeof urlParams !== 'undefined')
{
	urlParams['sync'] = 'manual';
	urlParams['gapi'] = '0';
	urlParams['db'] = '0';
	urlParams['od'] = '0';
	urlParams['gh'] = '0';
	urlParams['gl'] = '0';
	urlParams['tr'] = '0';
	urlParams['nc'] = '0';
	urlParams['math'] = '0';
	urlParams['stealth'] = '1';
	urlParams['lockdown'] = '1';
	urlParams['pwa'] = '0';
	urlParams['plugins'] = '0';
}
