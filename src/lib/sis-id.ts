import { lazy } from "./lazy";
import { textSchema } from "./text";

/**
 * A student's or course's id in the school's student information system, as the school
 * writes it: free text (trimmed, NFC, no control characters), at most 255 characters, and
 * compared exactly, case included (migrations/0009 stores it so).
 */
export const sisIdSchema = lazy(() => textSchema(255));
