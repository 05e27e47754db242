/**
 * Compile-time proof that the typed client (pika-shared/client) agrees with the route table: the same route
 * ids, and for each route request types that the route's schemas accept. `tsc` fails on any drift.
 */
import type * as z from 'zod';
import type { PikaApiRoutes, RouteName } from 'pika-shared/client';
import type { ROUTES, RouteId } from './routes';

type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<X extends true> = X;
type Route<K> = Extract<(typeof ROUTES)[number], { id: K }>;
type Part<K, P extends 'params' | 'query' | 'body'> = Route<K> extends { [k in P]: infer S extends z.ZodType } ? z.input<S> : never;
type ClientPart<K extends RouteName, P extends string> = PikaApiRoutes[K] extends { [k in P]: infer T } ? T : never;

/** The client's input type must be assignable to what the route's schema accepts (input side). */
type Fits<K extends RouteName & RouteId> = {
  [P in 'params' | 'query' | 'body']: [ClientPart<K, P>] extends [never]
    ? [Part<K, P>] extends [never]
      ? true
      : false
    : ClientPart<K, P> extends Part<K, P>
      ? true
      : false;
}['params' | 'query' | 'body'];

/** Union of every route's verdict: a single `false` makes it `boolean`, which fails the assertion. */
type AllRoutesFit = { [K in RouteName & RouteId]: Fits<K> }[RouteName & RouteId];

export type ClientDriftChecks = [Assert<Agree<RouteName, RouteId>>, Assert<AllRoutesFit>];
