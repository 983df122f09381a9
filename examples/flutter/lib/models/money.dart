/// Money as the API sends it: a decimal string such as "50.00". It is kept exact (integer minor
/// units in a BigInt), never parsed into a double, so balances shown in the app never drift.
class Money implements Comparable<Money> {
  const Money._(this.minor, this.scale);

  /// Integer minor units ("50.00" at scale 2 is 5000).
  final BigInt minor;

  /// Digits after the decimal point.
  final int scale;

  static final RegExp _decimal = RegExp(r'^(-?)(\d+)(?:\.(\d+))?$');

  /// Parses a decimal string from the API. Throws [FormatException] for anything else.
  factory Money.parse(String text) {
    final match = _decimal.firstMatch(text);
    if (match == null) throw FormatException('not a decimal amount', text);
    final fraction = match.group(3) ?? '';
    final minor = BigInt.parse('${match.group(2)}$fraction');
    return Money._(match.group(1) == '-' ? -minor : minor, fraction.length);
  }

  bool get isNegative => minor.isNegative;

  Money operator -(Money other) {
    final scale = this.scale > other.scale ? this.scale : other.scale;
    return Money._(_at(scale) - other._at(scale), scale);
  }

  BigInt _at(int target) => minor * BigInt.from(10).pow(target - scale);

  @override
  int compareTo(Money other) {
    final scale = this.scale > other.scale ? this.scale : other.scale;
    return _at(scale).compareTo(other._at(scale));
  }

  @override
  bool operator ==(Object other) => other is Money && compareTo(other) == 0;

  @override
  int get hashCode {
    // Equal amounts written at different scales ("5.0", "5.00") hash alike.
    var minor = this.minor;
    var scale = this.scale;
    final ten = BigInt.from(10);
    while (scale > 0 && minor % ten == BigInt.zero) {
      minor = minor ~/ ten;
      scale--;
    }
    return Object.hash(minor, scale);
  }

  /// The decimal string again ("50.00"), as the API wrote it.
  @override
  String toString() {
    final digits = minor.abs().toString().padLeft(scale + 1, '0');
    final text = scale == 0 ? digits : '${digits.substring(0, digits.length - scale)}.${digits.substring(digits.length - scale)}';
    return minor.isNegative ? '-$text' : text;
  }
}
