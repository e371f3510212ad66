#!/usr/bin/env bash
# Cross-checks prova's crypto against the OpenSSL command line, in both directions, for every algorithm:
# prova signs -> `openssl pkeyutl`/`openssl dgst` verifies; openssl signs -> prova verifies; keys made by
# openssl load in prova and the other way round; digests and HMAC agree.
# Usage: openssl_cross.sh CRYPTO_DRIVER       prints "N passed, M failed" last.
set -u
DRV=${1:?usage: openssl_cross.sh CRYPTO_DRIVER}
. "$(dirname "$0")/../testlib.sh"

command -v openssl >/dev/null || { echo "openssl not found"; echo "0 passed, 1 failed"; exit 1; }
head -c 1000 /dev/urandom >"$T/msg"
msghex=$(od -An -v -tx1 "$T/msg" | tr -d ' \n')

for alg in ed25519 ed448 ecdsa-p256 ecdsa-p384 ecdsa-p521; do
  case $alg in
    ed25519) ossl_gen=(-algorithm ED25519); dig=() ;;
    ed448) ossl_gen=(-algorithm ED448); dig=() ;;
    ecdsa-p256) ossl_gen=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256); dig=(-sha256) ;;
    ecdsa-p384) ossl_gen=(-algorithm EC -pkeyopt ec_paramgen_curve:P-384); dig=(-sha384) ;;
    ecdsa-p521) ossl_gen=(-algorithm EC -pkeyopt ec_paramgen_curve:P-521); dig=(-sha512) ;;
  esac

  # prova key, prova signature -> openssl verifies with the PEM public key prova exports
  "$DRV" keygen "$alg" "$T/$alg.jwk" >/dev/null || { bad "$alg keygen"; continue; }
  "$DRV" export "$T/$alg.jwk" pem >"$T/$alg.pub.pem"
  "$DRV" sign "$T/$alg.jwk" "$msghex" | /usr/bin/python3 -c "import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))" >"$T/$alg.sig"
  if [ ${#dig[@]} -eq 0 ]; then
    openssl pkeyutl -verify -rawin -pubin -inkey "$T/$alg.pub.pem" -in "$T/msg" -sigfile "$T/$alg.sig" >/dev/null 2>&1
  else
    openssl dgst "${dig[@]}" -verify "$T/$alg.pub.pem" -signature "$T/$alg.sig" "$T/msg" >/dev/null 2>&1
  fi
  [ $? = 0 ] && ok || bad "$alg: openssl rejects prova's signature"

  # openssl key and signature -> prova verifies (key given to prova as openssl's PKCS#8 PEM)
  openssl genpkey "${ossl_gen[@]}" -out "$T/$alg.ossl.pem" 2>/dev/null || { bad "$alg openssl genpkey"; continue; }
  if [ ${#dig[@]} -eq 0 ]; then
    openssl pkeyutl -sign -rawin -inkey "$T/$alg.ossl.pem" -in "$T/msg" -out "$T/$alg.ossl.sig" 2>/dev/null
  else
    openssl dgst "${dig[@]}" -sign "$T/$alg.ossl.pem" -out "$T/$alg.ossl.sig" "$T/msg" 2>/dev/null
  fi
  sighex=$(od -An -v -tx1 "$T/$alg.ossl.sig" | tr -d ' \n')
  [ "$("$DRV" verify "$T/$alg.ossl.pem" "$msghex" "$sighex")" = valid ] && ok || bad "$alg: prova rejects openssl's signature"
  # a flipped bit must not verify
  flipped=$(printf '%s' "$sighex" | sed 's/^\(..........\)\(.\)/\1f/')
  [ "$flipped" = "$sighex" ] && flipped=$(printf '%s' "$sighex" | sed 's/^\(..........\)\(.\)/\10/')
  [ "$("$DRV" verify "$T/$alg.ossl.pem" "$msghex" "$flipped")" = invalid ] && ok || bad "$alg: tampered signature accepted"

  # the public key prova derives from openssl's private key = openssl's own public key
  openssl pkey -in "$T/$alg.ossl.pem" -pubout -out "$T/$alg.ossl.pub.pem" 2>/dev/null
  [ "$("$DRV" export "$T/$alg.ossl.pem" spki-hex)" = "$("$DRV" export "$T/$alg.ossl.pub.pem" spki-hex)" ] && ok ||
    bad "$alg: public key derived from openssl's private key differs"
  # prova's PKCS#8 loads in openssl and gives the same public key
  "$DRV" export "$T/$alg.jwk" pem-private >"$T/$alg.p8.pem"
  openssl pkey -in "$T/$alg.p8.pem" -pubout 2>/dev/null | cmp -s - "$T/$alg.pub.pem" && ok ||
    bad "$alg: openssl reads prova's PKCS#8 differently"
done

# digests and HMAC
for alg in sha256 sha384 sha512 sha3-256 sha3-384 sha3-512; do
  want=$(openssl dgst "-$alg" -r "$T/msg" | cut -d' ' -f1)
  [ "$("$DRV" hash "$alg" "$msghex")" = "$want" ] && ok || bad "hash $alg"
done
key=000102030405060708090a0b0c0d0e0f
want=$(openssl mac -digest SHA256 -macopt "hexkey:$key" -in "$T/msg" HMAC 2>/dev/null | tr 'A-F' 'a-f')
[ "$("$DRV" hmac "$key" "$msghex")" = "$want" ] && ok || bad "hmac-sha256"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
