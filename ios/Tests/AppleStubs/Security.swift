// Compile-only stand-in for Apple's Security framework (see README.md).
import Foundation

public typealias CFDictionary = NSDictionary
public typealias CFString = NSString
public typealias CFTypeRef = AnyObject
public typealias CFAllocator = AnyObject
public typealias OSStatus = Int32
public final class CFError {}
public final class SecAccessControl {}

public struct SecAccessControlCreateFlags: OptionSet, Sendable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let userPresence = SecAccessControlCreateFlags(rawValue: 1 << 0)
    public static let biometryAny = SecAccessControlCreateFlags(rawValue: 1 << 1)
    public static let devicePasscode = SecAccessControlCreateFlags(rawValue: 1 << 4)
    public static let privateKeyUsage = SecAccessControlCreateFlags(rawValue: 1 << 30)
}

private func stub() -> Never { fatalError("Apple Security stub") }

public func SecAccessControlCreateWithFlags(_ allocator: CFAllocator?, _ protection: CFTypeRef,
                                            _ flags: SecAccessControlCreateFlags,
                                            _ error: UnsafeMutablePointer<Unmanaged<CFError>?>?) -> SecAccessControl? { stub() }
public func SecItemCopyMatching(_ query: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus { stub() }
public func SecItemAdd(_ attributes: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus { stub() }
public func SecItemDelete(_ query: CFDictionary) -> OSStatus { stub() }

public var errSecSuccess: OSStatus { 0 }
public var errSecItemNotFound: OSStatus { -25300 }
public var errSecDuplicateItem: OSStatus { -25299 }

public var kSecClass: CFString { stub() }
public var kSecClassGenericPassword: CFString { stub() }
public var kSecAttrService: CFString { stub() }
public var kSecAttrAccount: CFString { stub() }
public var kSecAttrAccessGroup: CFString { stub() }
public var kSecAttrAccessible: CFString { stub() }
public var kSecAttrAccessibleWhenUnlockedThisDeviceOnly: CFString { stub() }
public var kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly: CFString { stub() }
public var kSecReturnData: CFString { stub() }
public var kSecMatchLimit: CFString { stub() }
public var kSecMatchLimitOne: CFString { stub() }
public var kSecValueData: CFString { stub() }
