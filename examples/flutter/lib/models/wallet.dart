import 'money.dart';

/// The user's wallet.
class Wallet {
  Wallet({required this.userId, required this.balance, required this.currency});

  final String userId;

  /// Exact; may be negative after a reversal of an earning already spent.
  final Money balance;
  final String currency;

  /// API: GET /wallet -> data
  factory Wallet.fromJson(Map<String, dynamic> json) {
    return Wallet(
      userId: json['userId'] as String,
      balance: Money.parse(json['balance'] as String),
      currency: json['currency'] as String,
    );
  }
}
