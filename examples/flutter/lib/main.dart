import 'package:flutter/material.dart';

import 'api/earnings_api.dart';
import 'screens/wallet_screen.dart';

/// Where the example runs. From the Android emulator the host's localhost is 10.0.2.2; pass
/// `--dart-define=API_ORIGIN=http://192.168.1.20:3000` for a phone on the same network.
const String apiOrigin = String.fromEnvironment('API_ORIGIN', defaultValue: 'http://10.0.2.2:3000');

/// The demo user's token (see the example's demo data); a real app gets it from its login.
const String demoToken = String.fromEnvironment('API_TOKEN', defaultValue: 'demo-friend-token');

void main() {
  runApp(const ClickCreditDemoApp());
}

class ClickCreditDemoApp extends StatelessWidget {
  const ClickCreditDemoApp({super.key});

  @override
  Widget build(BuildContext context) {
    final api = EarningsApi(baseUrl: '$apiOrigin/api/v1/earn', token: demoToken);
    return MaterialApp(
      title: 'clickcredit demo',
      theme: ThemeData(colorSchemeSeed: Colors.indigo, useMaterial3: true),
      home: WalletScreen(api: api, offerUrl: '$apiOrigin/demo/advertiser'),
    );
  }
}
