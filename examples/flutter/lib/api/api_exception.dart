/// A failed API call, read from the error envelope every clickcredit route answers with:
/// `{ "success": false, "message": "...", "error": { "code": "...", "details": ... } }`.
class ApiException implements Exception {
  ApiException({required this.status, required this.code, required this.message, this.details});

  /// HTTP status (0 when the server could not be reached).
  final int status;

  /// The contract's code: VALIDATION_ERROR, UNAUTHORIZED, POSTBACK_FORBIDDEN, NOT_FOUND, CONFLICT,
  /// CLICK_EXPIRED, PAYLOAD_TOO_LARGE, UNAVAILABLE (retry later), INTERNAL; or NETWORK_ERROR /
  /// INVALID_RESPONSE from this client.
  final String code;

  /// A message safe to show to the user.
  final String message;

  /// Validation issues, for example.
  final Object? details;

  /// API: error
  factory ApiException.fromEnvelope(int status, Map<String, dynamic> json) {
    final error = json['error'];
    final message = json['message'];
    if (json['success'] == false && error is Map<String, dynamic> && error['code'] is String) {
      return ApiException(
        status: status,
        code: error['code'] as String,
        message: message is String ? message : 'HTTP $status',
        details: error['details'],
      );
    }
    return ApiException(status: status, code: 'INVALID_RESPONSE', message: 'Unexpected answer (HTTP $status)');
  }

  /// True when trying again later may succeed (the server or the network is down for a moment).
  bool get isRetryable => code == 'UNAVAILABLE' || code == 'NETWORK_ERROR';

  /// The user must start the task again: the click expired.
  bool get isExpired => code == 'CLICK_EXPIRED';

  @override
  String toString() => 'ApiException($status $code: $message)';
}
