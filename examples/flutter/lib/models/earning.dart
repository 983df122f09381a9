import 'money.dart';

/// One earning of the user.
class Earning {
  Earning({
    required this.earningId,
    required this.productId,
    required this.clickId,
    required this.amount,
    required this.status,
    required this.approvalStatus,
    required this.credited,
    required this.commission,
    required this.referrerId,
    required this.earnedAt,
  });

  final String earningId;
  final String productId;
  final String clickId;
  final Money amount;

  /// pending (recorded, not credited yet) | completed | cancelled (rejected or reversed)
  final String status;

  /// pending (held for review) | auto_approved | manual_approved | rejected
  final String approvalStatus;
  final bool credited;

  /// What the referrer received from this earning ("0.00" without a referrer).
  final Money commission;
  final String? referrerId;
  final DateTime earnedAt;

  bool get isHeld => approvalStatus == 'pending';

  /// API: GET /earnings -> data.items[]
  factory Earning.fromJson(Map<String, dynamic> json) {
    return Earning(
      earningId: json['earningId'] as String,
      productId: json['productId'] as String,
      clickId: json['clickId'] as String,
      amount: Money.parse(json['amount'] as String),
      status: json['status'] as String,
      approvalStatus: json['approvalStatus'] as String,
      credited: json['credited'] as bool,
      commission: Money.parse(json['commission'] as String),
      referrerId: json['referrerId'] as String?,
      earnedAt: DateTime.parse(json['earnedAt'] as String),
    );
  }
}

/// One page of earnings, newest first.
class EarningsPage {
  EarningsPage({required this.items, required this.nextCursor});

  final List<Earning> items;

  /// Pass back as `cursor` for the next page; null on the last page.
  final String? nextCursor;

  /// API: GET /earnings -> data
  factory EarningsPage.fromJson(Map<String, dynamic> json) {
    return EarningsPage(
      items: (json['items'] as List<dynamic>).map((item) => Earning.fromJson(item as Map<String, dynamic>)).toList(),
      nextCursor: json['nextCursor'] as String?,
    );
  }
}
