import type { CertificateInfo } from './certificate-info';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whole days from `now` until the certificate stops being valid, rounded down: 0 on its last day, negative once
 * expired (-1 during the first day after `notAfter`).
 */
export function daysUntilExpiry(cert: Pick<CertificateInfo, 'notAfter'>, now: Date): number {
  return Math.floor((cert.notAfter.getTime() - now.getTime()) / DAY_MS);
}

export function isExpired(cert: Pick<CertificateInfo, 'notAfter'>, now: Date): boolean {
  return now.getTime() > cert.notAfter.getTime();
}

export function isNotYetValid(cert: Pick<CertificateInfo, 'notBefore'>, now: Date): boolean {
  return now.getTime() < cert.notBefore.getTime();
}

/** `2026-11-23` (UTC): dates in messages, unambiguous across locales. */
export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
