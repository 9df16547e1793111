// Offline mirror of expo/checkin/rules.py: the same checks in the same order.
export const COLOURS = { ok: "green", already_checked_in: "amber", outside_hours: "amber" };

export function statusDecision(status) {
  if (status === "confirmed") return null;
  if (status === "awaiting_payment") return ["unpaid", "Payment is still open: send to the registration desk."];
  if (status === "awaiting_approval") return ["not_allowed", "Registration is awaiting the organisers' approval."];
  if (["cancelled", "rejected", "expired"].includes(status)) return ["cancelled", `Registration ${status}: no entry.`];
  return ["not_allowed", `Registration status '${status}' does not admit.`];
}

// The event's wall clock: {day: "YYYY-MM-DD", clock: "HH:MM"}.
export function localParts(date, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, clock: `${parts.hour}:${parts.minute}` };
}

export function withinHours(hours, local) {
  if (!hours || !hours.length) return true;
  return hours.some((h) => h.day === local.day && h.opens <= local.clock && local.clock < h.closes);
}

function hoursText(hours, day) {
  const today = hours.filter((h) => h.day === day).map((h) => `${h.opens}–${h.closes}`);
  return today.length ? today.join(", ") : "closed today";
}

// Gate kinds of other features: kind -> (gate, attendee) => [result, message] | null.
// attendee.extra holds the kind's facts (bundle.kind_data, see checkin-page.js).
export const KIND_RULES = {
  // Mirror of expo/sessions/gaterules.py talk_rule: a site-visit bus or a seat-limited
  // session's door admits only confirmed sign-ups.
  talk(gate, attendee) {
    const extra = attendee.extra || {};
    const what = extra.what || "session";
    const status = extra.signup;
    if (status === "confirmed") {
      const boarded = extra.boarded;
      return boarded ? ["already_checked_in", `Already boarded ${boarded.gate} at ${boarded.at}.`] : null;
    }
    if (status === "waiting") {
      const where = extra.position ? ` (number ${extra.position})` : "";
      return ["not_allowed", `On the waiting list for this ${what}${where}: no seat yet.`];
    }
    if (status === "offered") return ["not_allowed", `A seat on this ${what} is offered but not accepted yet: accept it on the talk page first.`];
    return ["not_allowed", `Not signed up for this ${what}.`];
  },
  // expo/sessions/gaterules.py room_rule: a room's door only counts attendance.
  room() { return null; },
};
// Kinds whose rule replaces the pass's zone check (rules.py KIND_OWNS_ADMISSION).
export const KIND_OWNS_ADMISSION = new Set(["talk"]);

// The facts a kind's rule reads for one registration, from the bundle's kind_data
// ({facts: shared, attendees: {id: facts}}): the offline twin of services.KIND_FACTS.
export function kindFacts(kindData, registrationId) {
  if (!kindData) return {};
  return { ...(kindData.facts || {}), ...((kindData.attendees || {})[registrationId] || {}) };
}

// gate: bundle.gate; attendee: {status, zones, pass_name, extra} or null.
export function decide(gate, badgeProblem, badgeReason, attendee, local, direction = "in") {
  if (badgeProblem === "invalid" || (!badgeProblem && !attendee)) return ["invalid", badgeReason || "Not a valid badge for this event."];
  if (badgeProblem === "revoked") return ["revoked", badgeReason || "This badge was replaced by a newer one."];
  if (direction === "out") return ["ok", `Exit from ${gate.zone_name} recorded.`];
  const refused = statusDecision(attendee.status);
  if (refused) return refused;
  if (!KIND_OWNS_ADMISSION.has(gate.kind) && !attendee.zones.includes(gate.zone)) return ["not_allowed", `${attendee.pass_name || "This pass"} does not open ${gate.zone_name}.`];
  if (!withinHours(gate.hours, local)) return ["outside_hours", `${gate.zone_name} is closed now (open ${hoursText(gate.hours, local.day)}).`];
  if (gate.kind) {
    const rule = KIND_RULES[gate.kind];
    if (!rule) return ["not_allowed", `This gate's kind '${gate.kind}' is not available.`];
    const no = rule(gate, attendee);
    if (no) return no;
  }
  return ["ok", `Welcome to ${gate.zone_name}.`];
}
