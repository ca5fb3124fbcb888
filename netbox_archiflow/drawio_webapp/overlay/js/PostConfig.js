/**
 * netbox-archiflow: replaces Draw.io's js/PostConfig.js (loaded after Draw.io's code, before it starts).
 * Services that would leave the NetBox origin stay off, whatever a diagram or URL parameter asks.
 */
window.ICONSEARCH_PATH = null;
window.ICON_SERVICE_PATH = null;

if (typeof Editor !== 'undefined')
{
	Editor.enableServiceWorker = false;
	Editor.enableRealtime = false;
	Editor.enableRealtimeCache = false;
	Editor.enableWebFonts = false;
}

if (typeof App !== 'undefined')
{
	App.pluginRegistry = {};

	// Our own plugin only (js/archiflow-editor.js, loaded by index.html): registered the way Draw.io registers a
	// plugin named in ?p=, so the embed protocol's init waits until it is installed.
	if (typeof window.archiflowEditorPlugin === 'function')
	{
		App.initPluginCallback();
		App.embedModePluginsCount++;
		Draw.loadPlugin(window.archiflowEditorPlugin);
	}
}
