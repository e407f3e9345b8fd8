/**
 * Simplify of the trigger by node version. Version 1 (saved workflows) keeps the event's time in
 * Unix seconds and its object as Stripe sent it. Version 2 (new nodes) reads as the Stripe Guard
 * node's version-2 reads do: the event as Event → Get simplifies it (ISO date, request ID, API
 * version), its object in the simplified shape of its type (ISO dates, `_formatted` amounts), and
 * the changed fields' previous values in that same shape.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	objectTypeOf,
	simplifyDeep,
	type ReadResourceSpec,
} from '../StripeGuard/framework/read-resource';
import { querySpecs } from '../StripeGuard/resources';
import { event as eventResource } from '../StripeGuard/resources/event';

export const TRIGGER_VERSIONS = [1, 2];
export const LATEST_TRIGGER_VERSION = 2;

/** Each object type the Stripe Guard node reads, with its simplified shape. */
const SHAPES = new Map<string, ReadResourceSpec>(querySpecs.map((s) => [objectTypeOf(s), s]));

/** Version 1's small shape: as Stripe sent it, times in Unix seconds. */
export function simplifiedEventV1(event: IDataObject): IDataObject {
	const data = event.data as IDataObject;
	const object = data.object as IDataObject;
	return {
		id: event.id,
		type: event.type,
		created: event.created,
		object_type: object.object,
		object_id: object.id,
		object,
		previous_attributes: (data.previous_attributes as IDataObject | undefined) ?? null,
	};
}

/**
 * The changed fields as they were, in the object's simplified shape: the object before the
 * change (Stripe's object with the previous values) simplified, for each changed field that the
 * shape has, with its `_formatted` twin; a changed field the shape leaves out as Stripe sent it.
 */
function previousShaped(shape: ReadResourceSpec, object: IDataObject, previous: IDataObject) {
	const before = simplifyDeep(shape, { ...object, ...previous }, true);
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(previous)) {
		if (!(key in before)) {
			out[key] = value;
			continue;
		}
		out[key] = before[key];
		if (`${key}_formatted` in before) out[`${key}_formatted`] = before[`${key}_formatted`];
	}
	return out;
}

/** Version 2's small shape; an object of a type Stripe Guard does not read stays as sent. */
export function simplifiedEventV2(event: IDataObject): IDataObject {
	const data = event.data as IDataObject;
	const object = data.object as IDataObject;
	const previous = (data.previous_attributes as IDataObject | undefined) ?? null;
	const shape = SHAPES.get(String(object.object));
	return {
		...simplifyDeep(eventResource.spec, event, true),
		object: shape ? simplifyDeep(shape, object, true) : object,
		previous_attributes: shape && previous ? previousShaped(shape, object, previous) : previous,
	};
}
