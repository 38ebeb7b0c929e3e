// Webview entry: renders view models sent by the extension host; parses no files itself.
const root = document.getElementById('root');
if (root) root.textContent = 'Model Bundle Inspector';
