import 'package:flutter/material.dart';
import 'package:webview_flutter/webview_flutter.dart';

/// The advertiser's task in a WebView. It opens the tracking link (which records the visit and
/// redirects to the offer with `click_id` and `postback_url`); the advertiser's server then sends
/// the postback on its own, so closing this screen is all the user has to do.
class TaskWebViewScreen extends StatefulWidget {
  const TaskWebViewScreen({super.key, required this.trackingUri, required this.clickId, required this.expiresAt});

  final Uri trackingUri;
  final String clickId;
  final DateTime expiresAt;

  @override
  State<TaskWebViewScreen> createState() => _TaskWebViewScreenState();
}

class _TaskWebViewScreenState extends State<TaskWebViewScreen> {
  late final WebViewController _controller;
  bool _loading = true;
  String? _error;

  @override
  void initState() {
    super.initState();
    _controller = WebViewController()
      ..setJavaScriptMode(JavaScriptMode.unrestricted)
      ..setNavigationDelegate(
        NavigationDelegate(
          onPageStarted: (_) => setState(() => _loading = true),
          onPageFinished: (_) => setState(() => _loading = false),
          onHttpError: (HttpResponseError error) {
            // The tracking link answers 410 when the click expired between "Start task" and now.
            final status = error.response?.statusCode;
            if (status == 410) setState(() => _error = 'This offer link has expired. Go back and start the task again.');
          },
          onWebResourceError: (WebResourceError error) {
            if (error.isForMainFrame ?? true) setState(() => _error = 'Could not load the offer: ${error.description}');
          },
        ),
      )
      ..loadRequest(widget.trackingUri);
  }

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(
        title: const Text('Complete task'),
        actions: [
          IconButton(icon: const Icon(Icons.refresh), onPressed: () => _controller.reload()),
          TextButton(onPressed: () => Navigator.of(context).pop(true), child: const Text('Done')),
        ],
      ),
      body: Stack(
        children: [
          if (_error == null) WebViewWidget(controller: _controller),
          if (_error != null) Center(child: Padding(padding: const EdgeInsets.all(24), child: Text(_error!, textAlign: TextAlign.center))),
          if (_loading && _error == null) const Center(child: CircularProgressIndicator()),
        ],
      ),
    );
  }
}
