import { api } from "../api.js";
import { badge, cityName, h, kv, messageBox, when } from "../dom.js";

const EVENT_LABELS = { CREATED: "Demande créée", CONFIRMED: "Confirmée", DECLINED: "Refusée", EXPIRED: "Expirée",
  CANCELLED: "Annulée", COMPLETED: "Terminée", SLOTS_RELEASED: "Créneaux libérés", RESCHEDULED: "Reportée" };

const ACTORS = { CLIENT: "le client", PRO: "le pro", ADMIN: "un administrateur" };

// A booking with both parties and its event timeline (oldest first).
export async function renderBooking(bookingId) {
  const messages = messageBox();
  const section = h("section", {});
  const path = `/bookings/${encodeURIComponent(bookingId)}`;
  try {
    const [booking, events] = await Promise.all([api("GET", path), api("GET", `${path}/events`)]);
    const person = (who, label) => who
      ? h("a", { href: `#/users/${encodeURIComponent(who.id)}` }, `${who.firstName} ${who.lastName}`, who.phone ? ` (${who.phone})` : "")
      : label;
    section.append(h("h1", {}, "Réservation"),
      kv([["Statut", badge(booking.status)], ["Créneau", when(booking.timeSlot)], ["Ville", cityName(booking.cityId)],
          ["Catégorie", booking.categoryId], ["Client", person(booking.client, booking.clientId)],
          ["Pro", person(booking.pro, booking.proId)], ["Durée estimée", booking.estimatedDuration],
          ["Motif d'annulation", booking.cancelReason], ["Créée le", when(booking.createdAt)],
          ["Identifiant", h("span", { class: "mono" }, booking.id)]]),
      h("h2", {}, "Historique"),
      h("ol", { class: "timeline", "aria-label": "Historique de la réservation" }, events.items.map((event) => h("li", {},
        h("strong", {}, EVENT_LABELS[event.type] || event.type), " — ", when(event.createdAt),
        h("div", { class: "muted" }, event.actorRole ? `par ${ACTORS[event.actorRole] || event.actorRole}` : "par le système",
          event.metadata && Object.keys(event.metadata).length ? ` · ${JSON.stringify(event.metadata)}` : "")))));
  } catch (error) {
    messages.error(error);
  }
  section.prepend(messages.element);
  return section;
}
