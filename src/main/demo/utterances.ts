// What simulated callers say: plausible Korean customer-service lines, picked with an injected random source.

export type Random = () => number;

/** Requests that open a call, by topic (none contains a handoff keyword: 상담원, 상담사, 사람, agent). */
export const OPENERS: Record<string, readonly string[]> = {
  refund: ['환불 받고 싶은데요.', '지난주에 산 운동화 환불 가능한가요?', '환불 신청은 어떻게 하나요?'],
  cancel: ['주문 취소하고 싶어요.', '어제 주문한 거 취소해 주세요.', '주문을 잘못해서 취소하려고요.'],
  delivery: ['배송이 언제 오나요?', '택배가 아직 안 왔어요.', '배송 조회 좀 해 주세요.'],
  hours: ['영업시간이 어떻게 되나요?', '주말에도 문 여나요?', '오늘 몇 시까지 하세요?'],
  address: ['배송지 주소를 바꾸고 싶어요.', '받는 주소가 잘못 들어갔어요.'],
  payment: ['카드 결제가 두 번 됐어요.', '결제 수단을 바꿀 수 있나요?'],
};

export const FOLLOW_UPS: readonly string[] = [
  '주문번호는 이천사백십칠 번이에요.',
  '네, 맞아요.',
  '언제쯤 처리되나요?',
  '문자로 안내 받을 수 있나요?',
  '어제 오후에 주문했어요.',
  '제 이름은 김민지입니다.',
  '혹시 수수료가 있나요?',
  '아, 그렇군요.',
];

export const GOODBYES: readonly string[] = ['네, 알겠습니다. 감사합니다.', '감사합니다. 안녕히 계세요.', '네, 고맙습니다. 수고하세요.'];

/** Lines that ask for a person (the keyword handoff). */
export const AGENT_REQUESTS: readonly string[] = ['상담원 연결해 주세요.', '상담원이랑 통화하고 싶어요.', '그냥 상담원 바꿔 주세요.'];

/** Said while the bot talks, to show they are listening: the reply should go on. */
export const BACKCHANNELS: readonly string[] = ['네', '음'];

/** Said when nobody hands the call off in time. */
export const GIVE_UPS: readonly string[] = ['알겠습니다. 나중에 다시 전화할게요.', '네, 그럼 다음에 다시 걸게요. 감사합니다.'];

export function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.min(list.length - 1, Math.floor(random() * list.length))]!;
}

export function opener(random: Random): string {
  return pick(random, pick(random, Object.values(OPENERS)));
}

/** A Gather speech confidence as Twilio reports them for clear speech (0.78–0.97). */
export function confidence(random: Random): number {
  return Math.round((0.78 + random() * 0.19) * 100) / 100;
}

/** A small seeded PRNG (mulberry32) so scenario tests are reproducible; the demo seeds it from the clock. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
