import 'dart:async';
import 'dart:convert';

import 'package:http/http.dart' as http;

import '../models/click.dart';
import '../models/earning.dart';
import '../models/wallet.dart';
import 'api_exception.dart';

/// The clickcredit user routes. Every answer is an envelope: `data` on success, an
/// [ApiException] with the contract's error code otherwise.
class EarningsApi {
  EarningsApi({required this.baseUrl, required this.token, http.Client? client}) : _client = client ?? http.Client();

  /// Where the routes are mounted, e.g. `http://10.0.2.2:3000/api/v1/earn` from an Android emulator.
  final String baseUrl;

  /// The user's bearer token.
  final String? token;

  final http.Client _client;

  static const Duration _timeout = Duration(seconds: 15);

  /// "Start task": a click id, the redirect URL and when the click expires.
  Future<ClickResponse> generateClick({required String productId, required String taskUrl, String? offerId}) async {
    final data = await _send(
      'POST',
      '/products/${Uri.encodeComponent(productId)}/click',
      expect: 201,
      body: {'taskUrl': taskUrl, if (offerId != null) 'offerId': offerId},
    );
    return ClickResponse.fromJson(data);
  }

  /// The URL to open in the WebView: the tracking route records the visit, then redirects
  /// (302) to the click's redirect URL — one request instead of a separate trackClick call.
  /// An expired click answers 410 CLICK_EXPIRED there instead of sending the user on.
  Uri trackingRedirectUri(String clickId) => _uri('/track/${Uri.encodeComponent(clickId)}', {'redirect': '1'});

  /// Records a visit without redirecting (analytics), and tells the click's state.
  Future<ClickStatus> trackClick(String clickId) async {
    final data = await _send('GET', '/track/${Uri.encodeComponent(clickId)}');
    return ClickStatus.fromJson(data);
  }

  /// One of the user's clicks (did the postback arrive?).
  Future<ClickDetails> getClick(String clickId) async {
    final data = await _send('GET', '/clicks/${Uri.encodeComponent(clickId)}');
    return ClickDetails.fromJson(data);
  }

  Future<Wallet> getWallet() async {
    final data = await _send('GET', '/wallet');
    return Wallet.fromJson(data);
  }

  /// The user's earnings, newest first. Pass [EarningsPage.nextCursor] to get the next page.
  Future<EarningsPage> listEarnings({String? cursor, int limit = 20}) async {
    final data = await _send('GET', '/earnings', query: {'limit': '$limit', if (cursor != null) 'cursor': cursor});
    return EarningsPage.fromJson(data);
  }

  Uri _uri(String path, [Map<String, String>? query]) {
    final base = baseUrl.endsWith('/') ? baseUrl.substring(0, baseUrl.length - 1) : baseUrl;
    final uri = Uri.parse('$base$path');
    return query == null || query.isEmpty ? uri : uri.replace(queryParameters: query);
  }

  Future<Map<String, dynamic>> _send(
    String method,
    String path, {
    int expect = 200,
    Map<String, Object?>? body,
    Map<String, String>? query,
  }) async {
    final request = http.Request(method, _uri(path, query));
    request.headers['Accept'] = 'application/json';
    if (token != null) request.headers['Authorization'] = 'Bearer $token';
    if (body != null) {
      request.headers['Content-Type'] = 'application/json';
      request.body = jsonEncode(body);
    }
    final http.Response response;
    try {
      response = await http.Response.fromStream(await _client.send(request).timeout(_timeout));
    } on TimeoutException {
      throw ApiException(status: 0, code: 'NETWORK_ERROR', message: 'The server did not answer in time');
    } on http.ClientException catch (error) {
      throw ApiException(status: 0, code: 'NETWORK_ERROR', message: error.message);
    }
    Object? decoded;
    try {
      decoded = jsonDecode(utf8.decode(response.bodyBytes));
    } on FormatException {
      decoded = null;
    }
    if (decoded is! Map<String, dynamic>) {
      throw ApiException(status: response.statusCode, code: 'INVALID_RESPONSE', message: 'Unexpected answer (HTTP ${response.statusCode})');
    }
    if (response.statusCode == expect && decoded['success'] == true && decoded['data'] is Map<String, dynamic>) {
      return decoded['data'] as Map<String, dynamic>;
    }
    throw ApiException.fromEnvelope(response.statusCode, decoded);
  }

  void close() => _client.close();
}
