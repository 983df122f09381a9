import 'package:flutter/material.dart';

import '../api/api_exception.dart';
import '../api/earnings_api.dart';
import '../screens/task_webview_screen.dart';

/// "Start task": asks the API for a click, checks it has not already expired, then opens the
/// tracking link in the WebView. Calls [onFinished] when the user comes back, so the caller can
/// refresh the wallet (the advertiser's postback arrives server to server, maybe a little later).
class TaskButton extends StatefulWidget {
  const TaskButton({super.key, required this.api, required this.productId, required this.taskUrl, this.offerId, this.onFinished});

  final EarningsApi api;
  final String productId;
  final String taskUrl;
  final String? offerId;
  final VoidCallback? onFinished;

  @override
  State<TaskButton> createState() => _TaskButtonState();
}

class _TaskButtonState extends State<TaskButton> {
  bool _loading = false;

  Future<void> _startTask() async {
    final messenger = ScaffoldMessenger.of(context);
    final navigator = Navigator.of(context);
    setState(() => _loading = true);
    try {
      final click = await widget.api.generateClick(productId: widget.productId, taskUrl: widget.taskUrl, offerId: widget.offerId);
      // A device clock far off, or a slow network, can hand us a click that is already over.
      if (click.isExpiredAt(DateTime.now().toUtc())) {
        messenger.showSnackBar(const SnackBar(content: Text('This offer link has already expired, please try again.')));
        return;
      }
      await navigator.push(
        MaterialPageRoute<bool>(
          builder: (_) => TaskWebViewScreen(
            trackingUri: widget.api.trackingRedirectUri(click.clickId),
            clickId: click.clickId,
            expiresAt: click.expiresAt,
          ),
        ),
      );
      widget.onFinished?.call();
    } on ApiException catch (error) {
      final text = switch (error.code) {
        'UNAUTHORIZED' => 'Please log in again.',
        'NOT_FOUND' => 'This offer is no longer available.',
        'VALIDATION_ERROR' => 'This offer link is not valid.',
        _ when error.isRetryable => 'The server is busy, please try again in a moment.',
        _ => error.message,
      };
      messenger.showSnackBar(SnackBar(content: Text(text)));
    } finally {
      if (mounted) setState(() => _loading = false);
    }
  }

  @override
  Widget build(BuildContext context) {
    return ElevatedButton(
      onPressed: _loading ? null : _startTask,
      child: _loading ? const SizedBox(width: 20, height: 20, child: CircularProgressIndicator(strokeWidth: 2)) : const Text('Start Task'),
    );
  }
}
