/// The answer to "Start task": the click id and where to send the user.
class ClickResponse {
  ClickResponse({required this.clickId, required this.redirectUrl, required this.expiresAt, required this.trackingUrl});

  final String clickId;

  /// The advertiser's offer URL with `click_id` and `postback_url` added.
  final String redirectUrl;

  /// After this instant a conversion no longer pays: check it before opening the WebView.
  final DateTime expiresAt;

  /// The postback URL handed to the advertiser (named `trackingUrl` by the API, as in the seed).
  final String trackingUrl;

  bool isExpiredAt(DateTime now) => !now.isBefore(expiresAt);

  /// API: POST /products/{productId}/click -> data
  factory ClickResponse.fromJson(Map<String, dynamic> json) {
    return ClickResponse(
      clickId: json['clickId'] as String,
      redirectUrl: json['redirectUrl'] as String,
      // ISO 8601 in UTC ("2026-12-02T21:52:36.961Z"); shown in local time by the UI.
      expiresAt: DateTime.parse(json['expiresAt'] as String),
      trackingUrl: json['trackingUrl'] as String,
    );
  }
}

/// The state of a click, from the tracking route.
class ClickStatus {
  ClickStatus({required this.clickId, required this.status});

  final String clickId;

  /// pending | converted | expired | rejected
  final String status;

  /// API: GET /track/{clickId} -> data
  factory ClickStatus.fromJson(Map<String, dynamic> json) {
    return ClickStatus(clickId: json['clickId'] as String, status: json['status'] as String);
  }
}

/// One of the user's clicks, with its conversion state.
class ClickDetails {
  ClickDetails({
    required this.clickId,
    required this.productId,
    required this.status,
    required this.expiresAt,
    required this.postbackReceived,
    required this.conversionId,
  });

  final String clickId;
  final String productId;
  final String status;
  final DateTime expiresAt;
  final bool postbackReceived;
  final String? conversionId;

  /// API: GET /clicks/{clickId} -> data
  factory ClickDetails.fromJson(Map<String, dynamic> json) {
    return ClickDetails(
      clickId: json['clickId'] as String,
      productId: json['productId'] as String,
      status: json['status'] as String,
      expiresAt: DateTime.parse(json['expiresAt'] as String),
      postbackReceived: json['postbackReceived'] as bool,
      conversionId: json['conversionId'] as String?,
    );
  }
}
