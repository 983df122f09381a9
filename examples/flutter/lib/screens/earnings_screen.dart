import 'package:flutter/material.dart';

import '../api/api_exception.dart';
import '../api/earnings_api.dart';
import '../models/earning.dart';

/// The user's earnings, newest first, loaded page by page with the API's cursor.
class EarningsScreen extends StatefulWidget {
  const EarningsScreen({super.key, required this.api});

  final EarningsApi api;

  @override
  State<EarningsScreen> createState() => _EarningsScreenState();
}

class _EarningsScreenState extends State<EarningsScreen> {
  final List<Earning> _items = [];
  String? _cursor;
  bool _done = false;
  bool _loading = false;
  String? _error;

  @override
  void initState() {
    super.initState();
    _loadMore();
  }

  Future<void> _loadMore() async {
    if (_loading || _done) return;
    setState(() => _loading = true);
    try {
      final page = await widget.api.listEarnings(cursor: _cursor);
      if (!mounted) return;
      setState(() {
        _items.addAll(page.items);
        _cursor = page.nextCursor;
        _done = page.nextCursor == null;
      });
    } on ApiException catch (error) {
      if (mounted) setState(() => _error = error.message);
    } finally {
      if (mounted) setState(() => _loading = false);
    }
  }

  String _statusText(Earning earning) {
    if (earning.isHeld) return 'under review';
    if (earning.status == 'cancelled') return 'reversed or rejected';
    if (earning.status == 'pending') return 'pending';
    return earning.credited ? 'credited' : 'crediting…';
  }

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text('Earnings')),
      body: ListView.builder(
        itemCount: _items.length + 1,
        itemBuilder: (context, index) {
          if (index == _items.length) {
            if (_error != null) return ListTile(title: Text(_error!, style: const TextStyle(color: Colors.red)));
            if (_done) return ListTile(title: Text(_items.isEmpty ? 'Nothing earned yet.' : 'That is all.'));
            // Not from build itself: loading calls setState.
            WidgetsBinding.instance.addPostFrameCallback((_) => _loadMore());
            return const Center(child: Padding(padding: EdgeInsets.all(16), child: CircularProgressIndicator()));
          }
          final earning = _items[index];
          return ListTile(
            title: Text('${earning.productId} · ${earning.amount}'),
            subtitle: Text('${_statusText(earning)} · ${earning.earnedAt.toLocal()}'),
            trailing: earning.referrerId == null ? null : Text('${earning.commission} to ${earning.referrerId}'),
          );
        },
      ),
    );
  }
}
