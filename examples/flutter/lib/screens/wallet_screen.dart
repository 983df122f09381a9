import 'package:flutter/material.dart';

import '../api/api_exception.dart';
import '../api/earnings_api.dart';
import '../models/money.dart';
import '../models/wallet.dart';
import '../widgets/task_button.dart';
import 'earnings_screen.dart';

/// The offers and the wallet: after a task, the balance is polled for a short while, since the
/// advertiser's postback reaches the server on its own schedule.
class WalletScreen extends StatefulWidget {
  const WalletScreen({super.key, required this.api, required this.offerUrl});

  final EarningsApi api;

  /// The advertiser's offer URL (the example serves a mock one at /demo/advertiser).
  final String offerUrl;

  @override
  State<WalletScreen> createState() => _WalletScreenState();
}

class _WalletScreenState extends State<WalletScreen> {
  Wallet? _wallet;
  Money? _change;
  String? _error;

  @override
  void initState() {
    super.initState();
    _refresh();
  }

  Future<void> _refresh() async {
    try {
      final wallet = await widget.api.getWallet();
      if (!mounted) return;
      setState(() {
        final before = _wallet?.balance;
        if (before != null && before != wallet.balance) _change = wallet.balance - before;
        _wallet = wallet;
        _error = null;
      });
    } on ApiException catch (error) {
      if (mounted) setState(() => _error = error.message);
    }
  }

  /// Re-reads the wallet a few times after the user comes back from a task.
  Future<void> _pollAfterTask() async {
    for (var attempt = 0; attempt < 5 && mounted; attempt++) {
      await _refresh();
      await Future<void>.delayed(const Duration(seconds: 2));
    }
  }

  @override
  Widget build(BuildContext context) {
    final wallet = _wallet;
    final change = _change;
    return Scaffold(
      appBar: AppBar(
        title: const Text('Wallet'),
        actions: [
          IconButton(
            icon: const Icon(Icons.receipt_long),
            tooltip: 'Earnings',
            onPressed: () => Navigator.of(context).push(MaterialPageRoute<void>(builder: (_) => EarningsScreen(api: widget.api))),
          ),
        ],
      ),
      body: RefreshIndicator(
        onRefresh: _refresh,
        child: ListView(
          padding: const EdgeInsets.all(16),
          children: [
            Card(
              child: ListTile(
                title: Text(wallet == null ? '…' : '${wallet.balance} ${wallet.currency}', style: Theme.of(context).textTheme.headlineMedium),
                subtitle: Text(change == null ? 'Balance' : 'Balance (${change.isNegative ? '' : '+'}$change)'),
              ),
            ),
            if (_error != null) Padding(padding: const EdgeInsets.all(8), child: Text(_error!, style: const TextStyle(color: Colors.red))),
            const SizedBox(height: 16),
            ListTile(
              title: const Text('demo-product'),
              subtitle: const Text('Earn up to 50.00'),
              trailing: TaskButton(api: widget.api, productId: 'demo-product', taskUrl: widget.offerUrl, onFinished: _pollAfterTask),
            ),
          ],
        ),
      ),
    );
  }
}
