// What the web and mobile apps do with the generated types: a typed fetch client over
// docs/openapi.json (openapi-fetch). `make client-check` type-checks this file with
// `tsc --noEmit`; a renamed field, a changed status or a missing model breaks it.
import createClient from "openapi-fetch";

import type { components, paths } from "./api";

type Booking = components["schemas"]["BookingView"];
type ListedPro = components["schemas"]["ListedPro"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:3000" });

export async function signUp(phone: string, email: string): Promise<string> {
  const { data, error } = await api.POST("/auth/signup", {
    body: {
      phone, email, password: "motdepasse1", firstName: "Amina", lastName: "Idrissi",
      role: "CLIENT", acceptTerms: true,
    },
  });
  if (error) throw new Error(`${error.error.code}: ${error.error.message}`);
  return data.userId; // 201 SignupAnswer
}

export async function logIn(login: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/auth/login", { body: { login, password } });
  if (error) throw new Error(error.error.code); // INVALID_CREDENTIALS, ACCOUNT_BANNED, RATE_LIMITED…
  if ("mfaRequired" in data) throw new Error(`an admin account: answer POST /auth/mfa with ${data.mfaToken}`);
  const role: string = data.user.role;
  void role;
  return data.accessToken;
}

export async function search(cityId: string, categoryId: string): Promise<ListedPro[]> {
  const { data, error } = await api.GET("/pros", { params: { query: { cityId, categoryId, limit: 20 } } });
  if (error) throw new Error(error.error.code);
  const ratings: (number | null)[] = data.items.map((pro) => pro.rating.average);
  void ratings;
  return data.items;
}

export async function book(token: string, pro: ListedPro, categoryId: string, timeSlot: string): Promise<Booking> {
  const { data, error, response } = await api.POST("/bookings", {
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
    body: { proId: pro.proId, categoryId, timeSlot },
  });
  if (error) throw new Error(error.error.code); // SLOT_UNAVAILABLE, PHONE_NOT_VERIFIED, …
  const created: 201 = response.status as 201;
  void created;
  const status: string = data.status; // "PENDING"
  const phone: string | null = data.pro.phone; // null until CONFIRMED (Privacy Shield)
  void status; void phone;
  return data;
}

export async function confirm(proToken: string, booking: Booking): Promise<Booking> {
  const { data, error } = await api.POST("/bookings/{id}/confirm", {
    headers: { Authorization: `Bearer ${proToken}` },
    params: { path: { id: booking.id } },
    body: { estimatedDuration: "H2" },
  });
  if (error) throw new Error(error.error.code); // SLOT_TAKEN, BOOKING_EXPIRED, …
  const whatsapp: string | null = data.pro.whatsapp;
  void whatsapp;
  return data;
}
