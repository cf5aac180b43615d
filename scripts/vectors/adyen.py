"""Adyen vectors. The notification vectors wrap the NotificationRequestItem of Adyen's own PHP library tests
(Adyen/adyen-php-api-library@6ef9657 tests/Unit/Util/HmacSignatureTest.php) in a notification envelope; their
hmacSignature values are the library's expected values (recomputed here). The header vector is computed:
HmacSignature = base64 HMAC-SHA256 of the whole body with the hex-decoded key (validateHMACSignature)."""
import base64, hashlib, hmac, json

SDK = "Adyen/adyen-php-api-library@6ef9657 tests/Unit/Util/HmacSignatureTest.php"
FIELDS = ["pspReference", "originalReference", "merchantAccountCode", "merchantReference"]

def data_to_sign(item):
    vals = [str(item.get(f, "")) for f in FIELDS]
    amount = item.get("amount", {})
    vals += [str(amount.get("value", "")), amount.get("currency", ""), item.get("eventCode", ""), item.get("success", "")]
    return ":".join(vals)

def notification_sig(key_hex, item):
    mac = hmac.new(bytes.fromhex(key_hex), data_to_sign(item).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()

SIGNED = ["pspReference", "merchantReference", "merchantAccountCode", "eventCode"]

def envelope(item):
    """The body, with a signed string field placed where the harness flips a byte (the middle)."""
    import itertools
    for order in itertools.permutations(sorted(item)):
        body = json.dumps({"live": "false", "notificationItems": [{"NotificationRequestItem": {k: item[k] for k in order}}]}, separators=(",", ":"))
        raw = body.encode()
        mid = len(raw) // 2
        for f in SIGNED:
            value = json.dumps(item.get(f, ""))
            start = body.find(f'"{f}":{value}')
            if start >= 0:
                vstart = start + len(f) + 4
                if vstart <= mid < vstart + len(value) - 2 and chr(raw[mid]).isalnum():
                    return body
    raise SystemExit("no field order puts a signed value in the middle")

cases = [
    ("testNotificationRequestItemHmac", "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00",
     {"additionalData": {"hmacSignature": "Ny9gS2veKo5E4w8/OL6xz1/wvT/hYkAXy1xNc/QvO4I="}, "amount": {"value": 1130, "currency": "EUR"}, "eventCode": "AUTHORISATION", "merchantAccountCode": "TestMerchant", "merchantReference": "TestPayment-1407325143704", "pspReference": "7914073381342284", "success": "true"}),
    ("testMerchantReferenceWithSpace", "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00",
     {"additionalData": {"hmacSignature": "kLZtgnXU86m/yjnpBD4aqESFgnoDcy1fGOP1Db/L3+4="}, "amount": {"value": 1130, "currency": "EUR"}, "eventCode": "AUTHORISATION", "merchantAccountCode": "TestMerchant", "merchantReference": " TestPayment-1407325143704", "pspReference": "7914073381342284", "success": "true"}),
    ("testHmacSignatureForRefundWithZeroValue", "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
     {"additionalData": {"hmacSignature": "J7HhsgZo5KwqdB7LFZJV6rfQgp+RqC2kuYyw/3x3w+8="}, "amount": {"value": 0, "currency": "EUR"}, "eventCode": "REFUND", "merchantAccountCode": "TestMerchant", "merchantReference": "TestPayment-1407325143704", "pspReference": "7914073381342284", "success": "true"}),
    ("testHmacSignatureEscaping", "C56F00E99723D90F65254B00746844BED11BCDD0DD42B26EC980DC1301C6CD20",
     {"additionalData": {"hmacSignature": "ovT21mqdbQToGbWssIhnBXAlnkhgKuehtGwvYFf5h2Q="}, "amount": {"currency": "EUR", "value": 113000}, "eventCode": "AUTHORISATION", "eventDate": "2020-01-08T12:00:00+01:00", "merchantAccountCode": "PHPApiLibrary", "merchantReference": "auth:123", "originalReference": "", "paymentMethod": "visa", "pspReference": "TEST_CUSTOM_7914073381342284", "reason": "", "success": "true"}),
]
vectors = []
for name, key, item in cases:
    assert notification_sig(key, item) == item["additionalData"]["hmacSignature"], name
    vectors.append({"name": name, "source_kind": "official-sdk", "source": f"{SDK} ({name})", "variant": "notification",
                    "secret": key, "headers": [["Content-Type", "application/json"]], "body": envelope(item)})

key = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00"
body = '{"data":{"balancePlatform":"YOUR_BALANCE_PLATFORM","accountHolder":{"id":"AH32272223222B5CM4MWJ892H","status":"active"}},"environment":"test","type":"balancePlatform.accountHolder.updated"}'
sig = base64.b64encode(hmac.new(bytes.fromhex(key), body.encode(), hashlib.sha256).digest()).decode()
vectors.append({"name": "banking webhook HmacSignature header", "source_kind": "computed",
                "source": "computed with Python hmac from src/Adyen/Util/HmacSignature.php validateHMACSignature (scripts/vectors/adyen.py)",
                "variant": "header", "secret": key, "headers": [["Content-Type", "application/json"], ["HmacSignature", sig]], "body": body})
print(json.dumps({"provider": "adyen", "vectors": vectors}, indent=2))
